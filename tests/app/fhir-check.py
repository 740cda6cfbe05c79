#!/usr/bin/python3
# Nhịp — an independent check of our FHIR output, written from the specification and not
# from our C code:
#   1. the Bundle validates against HL7's official R4 JSON schema (fhir.schema.json) with
#      Debian's python3-jsonschema;
#   2. every Observation follows the R4 vital-signs profiles
#      (http://hl7.org/fhir/R4/observation-vitalsigns.html): category vital-signs, the
#      profile's LOINC code, subject, effective[x] to the day at least, a Quantity with
#      value, unit, UCUM system and one of the profile's UCUM codes, and for blood pressure
#      the systolic and diastolic components;
#   3. the Bundle holds together: fullUrls are unique urn:uuid values, every urn:uuid
#      reference points at an entry, and a transaction entry has a request.
#
# usage: fhir-check.py SCHEMA.json.xz BUNDLE.json
# Prints "ok: N entries" and exits 0, or prints one line per problem and exits 1.
# Exits 77 when python3-jsonschema is missing.
#
# SPDX-License-Identifier: GPL-3.0-or-later

import json
import lzma
import re
import sys

try:
    import jsonschema
except ImportError:
    print("python3-jsonschema is not installed", file=sys.stderr)
    sys.exit(77)

LOINC = "http://loinc.org"
UCUM = "http://unitsofmeasure.org"
CATEGORY = "http://terminology.hl7.org/CodeSystem/observation-category"
SD = "http://hl7.org/fhir/StructureDefinition/"

# profile → (the LOINC code it requires, the UCUM codes it allows)
VITAL_PROFILES = {
    "bp": ("85354-9", {"mm[Hg]"}),
    "heartrate": ("8867-4", {"/min"}),
    "resprate": ("9279-1", {"/min"}),
    "oxygensat": ("2708-6", {"%"}),
    "bodytemp": ("8310-5", {"Cel", "[degF]"}),
    "bodyweight": ("29463-7", {"kg", "g", "[lb_av]"}),
    "bodyheight": ("8302-2", {"cm", "[in_i]"}),
    "headcircum": ("9843-4", {"cm", "[in_i]"}),
    "bmi": ("39156-5", {"kg/m2"}),
}
BP_COMPONENTS = {"8480-6": "systolic", "8462-4": "diastolic"}
# laboratory glucose: the code decides the kind of unit
GLUCOSE = {"15074-8": {"mmol/L"}, "2339-0": {"mg/dL"}}

UUID_URN = re.compile(r"^urn:uuid:[0-9a-f]{8}-[0-9a-f]{4}-[1-5][0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$")
DATE_TIME_TO_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2}))?$")


def codes_of(concept, system):
    return [c.get("code") for c in (concept or {}).get("coding", []) if c.get("system") == system]


def check_quantity(where, quantity, allowed, problems):
    if not isinstance(quantity, dict):
        problems.append("%s: no valueQuantity" % where)
        return
    if not isinstance(quantity.get("value"), (int, float)) or isinstance(quantity.get("value"), bool):
        problems.append("%s: valueQuantity.value is missing or not a number" % where)
    if not quantity.get("unit"):
        problems.append("%s: valueQuantity.unit is missing" % where)
    if quantity.get("system") != UCUM:
        problems.append("%s: valueQuantity.system is %r, not UCUM" % (where, quantity.get("system")))
    if quantity.get("code") not in allowed:
        problems.append("%s: UCUM code %r is not one of %s" % (where, quantity.get("code"), sorted(allowed)))


def check_observation(where, obs, problems):
    category = [c for cat in obs.get("category", []) for c in codes_of(cat, CATEGORY)]
    loinc = codes_of(obs.get("code"), LOINC)
    if not obs.get("status"):
        problems.append("%s: no status" % where)
    if not (obs.get("subject") or {}).get("reference"):
        problems.append("%s: no subject" % where)
    effective = obs.get("effectiveDateTime")
    if effective is None and "effectivePeriod" not in obs:
        problems.append("%s: no effective[x]" % where)
    elif effective is not None and not DATE_TIME_TO_DAY.match(effective):
        problems.append("%s: effectiveDateTime %r is not precise to the day" % (where, effective))

    glucose = [c for c in loinc if c in GLUCOSE]
    if glucose:
        if "laboratory" not in category:
            problems.append("%s: glucose is not in the laboratory category" % where)
        check_quantity(where, obs.get("valueQuantity"), GLUCOSE[glucose[0]], problems)
        return

    if "vital-signs" not in category:
        problems.append("%s: category vital-signs is missing" % where)
    profiles = [p[len(SD):] for p in (obs.get("meta") or {}).get("profile", []) if p.startswith(SD)]
    matching = [name for name, (code, _) in VITAL_PROFILES.items() if code in loinc]
    if len(matching) != 1:
        problems.append("%s: LOINC codes %s match no single vital-signs profile" % (where, loinc))
        return
    profile = matching[0]
    code, units = VITAL_PROFILES[profile]
    if profiles and profile not in profiles:
        problems.append("%s: meta.profile %s does not name the %s profile" % (where, profiles, profile))
    if profile == "bp":
        seen = set()
        for i, component in enumerate(obs.get("component", [])):
            for c in codes_of(component.get("code"), LOINC):
                if c in BP_COMPONENTS:
                    seen.add(c)
                    check_quantity("%s component[%d]" % (where, i), component.get("valueQuantity"), units, problems)
        for c, name in BP_COMPONENTS.items():
            if c not in seen:
                problems.append("%s: the %s component (%s) is missing" % (where, name, c))
    else:
        if "valueQuantity" not in obs and "dataAbsentReason" not in obs:
            problems.append("%s: neither a value nor a dataAbsentReason" % where)
        elif "valueQuantity" in obs:
            check_quantity(where, obs["valueQuantity"], units, problems)
    if profile == "oxygensat" and "59408-5" in loinc and "2708-6" not in loinc:
        problems.append("%s: pulse oximetry without the profile's 2708-6" % where)


def references(node):
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "reference" and isinstance(value, str):
                yield value
            else:
                yield from references(value)
    elif isinstance(node, list):
        for value in node:
            yield from references(value)


def main():
    if len(sys.argv) != 3:
        print("usage: fhir-check.py SCHEMA.json.xz BUNDLE.json", file=sys.stderr)
        return 2
    with lzma.open(sys.argv[1], "rt", encoding="utf-8") as f:
        schema = json.load(f)
    with open(sys.argv[2], encoding="utf-8") as f:
        bundle = json.load(f)

    problems = []
    validator = jsonschema.Draft6Validator(schema)
    if not validator.is_valid(bundle):
        problems.append("the Bundle does not validate against fhir.schema.json")
        # the root schema is a oneOf over every resource type: validate the parts on their
        # own definitions to say where
        definitions = {"definitions": schema["definitions"]}
        parts = [("Bundle", dict(bundle, entry=[]))]
        parts += [("entry[%d] %s" % (i, (e.get("resource") or {}).get("resourceType")), e.get("resource"))
                  for i, e in enumerate(bundle.get("entry", []))]
        for where, part in parts:
            kind = (part or {}).get("resourceType", "")
            sub = jsonschema.Draft6Validator(dict(definitions, **{"$ref": "#/definitions/" + kind}))
            for error in sub.iter_errors(part):
                path = "/".join(str(p) for p in error.absolute_path)
                problems.append("%s /%s: %s" % (where, path, error.message[:300]))

    if bundle.get("resourceType") != "Bundle" or bundle.get("type") != "transaction":
        problems.append("not a transaction Bundle")
    full_urls = set()
    for i, entry in enumerate(bundle.get("entry", [])):
        url = entry.get("fullUrl", "")
        if not UUID_URN.match(url):
            problems.append("entry[%d]: fullUrl %r is not a urn:uuid" % (i, url))
        if url in full_urls:
            problems.append("entry[%d]: fullUrl %s is used twice" % (i, url))
        full_urls.add(url)
        request = entry.get("request") or {}
        if request.get("method") not in ("POST", "PUT") or not request.get("url"):
            problems.append("entry[%d]: no POST or PUT request" % i)
    for i, entry in enumerate(bundle.get("entry", [])):
        resource = entry.get("resource") or {}
        where = "entry[%d] %s" % (i, resource.get("resourceType"))
        for ref in references(resource):
            if ref.startswith("urn:uuid:") and ref not in full_urls:
                problems.append("%s: reference %s points at no entry" % (where, ref))
        if resource.get("resourceType") == "Observation":
            check_observation(where, resource, problems)

    for problem in problems:
        print(problem)
    if problems:
        return 1
    print("ok: %d entries" % len(bundle.get("entry", [])))
    return 0


if __name__ == "__main__":
    sys.exit(main())
