//! What the desk tells people by e-mail, without I/O: the escalation notice to the person a
//! step names, and an agent's public answer to the ticket's requester. The store puts them in
//! the outbox (`tandem_mail`) in the transaction of the step or the article.

use tandem_service_levels::agreement::Metric;

use crate::records::Ticket;

/// A mail's subject, text, link and the reason kept in the outbox.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Notice {
    pub subject: String,
    pub body: String,
    pub link: String,
    pub reason: String,
}

impl Notice {
    /// An escalation step of `percent` of the `metric` target was reached on `ticket`.
    pub fn escalation(ticket: &Ticket, metric: Metric, percent: u16) -> Self {
        let target = metric.label().to_lowercase();
        let due = match metric {
            Metric::FirstResponse => ticket.response_due,
            Metric::Update => ticket.update_due,
            Metric::Resolution => ticket.resolution_due,
        };
        let due = due.map_or_else(String::new, |at| {
            format!(
                " It is due {}.",
                at.format(&time::format_description::well_known::Rfc3339)
                    .unwrap_or_default()
            )
        });
        Self {
            subject: format!(
                "[{}] Escalation: {percent} % of the {target} time used",
                ticket.display_number()
            ),
            body: format!(
                "Ticket {} \"{}\" of {} ({}, {}) has used {percent} % of its {target} time.{due}\n\
                 Assignee: {}. Support level: {}.",
                ticket.display_number(),
                ticket.title,
                ticket.organisation.1,
                ticket.priority.label(),
                ticket.state.label(),
                ticket
                    .assignee
                    .as_ref()
                    .map_or("nobody", |(_, name)| name.as_str()),
                ticket.support_level,
            ),
            link: format!("/tickets/{}", ticket.id),
            reason: format!("escalation of {}", ticket.display_number()),
        }
    }

    /// An agent (`by`) answered `ticket` where the customer sees it.
    pub fn answer(ticket: &Ticket, body: &str, by: &str) -> Self {
        Self {
            subject: format!("[{}] {}", ticket.display_number(), ticket.title),
            body: format!("{body}\n\n{by}\nOn the portal, the whole thread and a reply box:"),
            link: format!("/tickets/{}", ticket.id),
            reason: format!("answer on {}", ticket.display_number()),
        }
    }
}
