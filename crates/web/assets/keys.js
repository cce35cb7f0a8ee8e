// Tandem's keyboard shortcuts. Outside a text field, a key activates the element of the page
// marked data-key="KEY" (a field gets the focus, a link or button is followed; with
// data-key-focus="SELECTOR" the field it names gets the focus); j and k move
// between the rows of a list (links marked data-row); ? shows the keys this page knows.
(() => {
  const typing = (el) =>
    el && (el.isContentEditable || ["INPUT", "TEXTAREA", "SELECT"].includes(el.tagName));

  const help = () => {
    let dialog = document.getElementById("keyboard-help");
    if (!dialog) {
      dialog = document.createElement("dialog");
      dialog.id = "keyboard-help";
      const article = document.createElement("article");
      const title = document.createElement("h2");
      title.textContent = "Keyboard shortcuts";
      const list = document.createElement("dl");
      list.className = "facts";
      const add = (key, what) => {
        const dt = document.createElement("dt");
        const kbd = document.createElement("kbd");
        kbd.textContent = key;
        dt.append(kbd);
        const dd = document.createElement("dd");
        dd.textContent = what;
        list.append(dt, dd);
      };
      for (const el of document.querySelectorAll("[data-key]")) {
        add(el.dataset.key, el.dataset.keyLabel || el.getAttribute("aria-label") || el.textContent.trim());
      }
      if (document.querySelector("[data-row]")) {
        add("j / k", "Next / previous row; Enter opens it");
      }
      add("?", "This list; Escape closes it");
      const close = document.createElement("button");
      close.type = "button";
      close.textContent = "Close";
      close.addEventListener("click", () => dialog.close());
      article.append(title, list, close);
      dialog.append(article);
      document.body.append(dialog);
    }
    if (dialog.open) dialog.close();
    else dialog.showModal();
  };

  document.addEventListener("keydown", (event) => {
    if (event.ctrlKey || event.metaKey || event.altKey || typing(document.activeElement)) return;
    if (event.key === "?") {
      event.preventDefault();
      help();
      return;
    }
    if (event.key === "j" || event.key === "k") {
      const rows = [...document.querySelectorAll("[data-row]")];
      if (rows.length === 0) return;
      const at = rows.indexOf(document.activeElement);
      const next = at === -1 ? 0 : Math.max(0, Math.min(rows.length - 1, at + (event.key === "j" ? 1 : -1)));
      rows[next].focus();
      event.preventDefault();
      return;
    }
    const target = [...document.querySelectorAll("[data-key]")].find((el) => el.dataset.key === event.key);
    if (!target) return;
    event.preventDefault();
    const field = target.dataset.keyFocus ? document.querySelector(target.dataset.keyFocus) : target;
    if (field && ["INPUT", "TEXTAREA", "SELECT"].includes(field.tagName)) field.focus();
    else if (field) field.click();
  });
})();
