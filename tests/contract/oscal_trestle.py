"""Loads every framework's OSCAL catalog export and every mapping pair's mapping-collection
export of a running Tandem into compliance-trestle's OSCAL models, as a tool nobody here wrote
would. Run by scripts/test's contract step:

    python3 tests/contract/oscal_trestle.py http://127.0.0.1:8080 TOKEN
"""

import itertools, json, sys, urllib.error, urllib.request

from trestle.oscal.catalog import Catalog
from trestle.oscal.mapping import MappingCollection

base, token = sys.argv[1], sys.argv[2]

def get(path):
    request = urllib.request.Request(base + path, headers={"Authorization": "Bearer " + token})
    with urllib.request.urlopen(request) as answer:
        return json.load(answer)

ids = [f["id"] for f in get("/api/v1/frameworks")]
for framework in ids:
    Catalog.parse_obj(get(f"/api/v1/frameworks/{framework}/oscal.json")["catalog"])
pairs = 0
for a, b in itertools.combinations(ids, 2):
    try:
        collection = get(f"/api/v1/mappings/oscal.json?a={a}&b={b}")
    except urllib.error.HTTPError as error:
        if error.code == 404:
            continue
        raise
    MappingCollection.parse_obj(collection["mapping-collection"])
    pairs += 1
print(f"compliance-trestle loads {len(ids)} catalogs and {pairs} mapping collections")
