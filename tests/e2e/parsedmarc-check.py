#!/usr/bin/env python3
"""Read one DMARC aggregate report (.xml.gz or .xml) with parsedmarc and
print what it counted, as one JSON object:

  {"org_name": ..., "report_id": ..., "policy_domain": ..., "records": N,
   "messages": total count, "dispositions": {"none": n, ...}}

parsedmarc is an independent, widely used report reader: if it reads our
reports and counts what we counted, receivers' tooling will too. The
Swift test ParsedmarcCheckTests runs this when AUTHMILTER_PARSEDMARC_PYTHON
names an interpreter with parsedmarc installed.

Usage: parsedmarc-check.py REPORT_FILE
"""
import json
import sys

import parsedmarc


def main(argv):
    if len(argv) != 2:
        print("usage: parsedmarc-check.py REPORT_FILE", file=sys.stderr)
        return 2
    # A binary file object, not the path: parsedmarc 11 documents a path
    # as valid input but hands a str to extract_report, which takes it
    # for base64 or XML text. offline: no DNS or geolocation lookups; the
    # counts do not need them.
    with open(argv[1], "rb") as report_file:
        report = parsedmarc.parse_aggregate_report_file(report_file, offline=True)
    records = report["records"]
    dispositions = {}
    messages = 0
    for record in records:
        count = int(record["count"])
        messages += count
        disposition = record["policy_evaluated"]["disposition"]
        dispositions[disposition] = dispositions.get(disposition, 0) + count
    print(json.dumps({
        "org_name": report["report_metadata"]["org_name"],
        "report_id": report["report_metadata"]["report_id"],
        "policy_domain": report["policy_published"]["domain"],
        "records": len(records),
        "messages": messages,
        "dispositions": dispositions,
    }, sort_keys=True))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
