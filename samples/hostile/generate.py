#!/usr/bin/env python3
"""Writes the hostile-input corpus of this folder: one NDJSON file per case and manifest.tsv.

Each case file holds valid events (event ids "ok-...") around one or a few hostile lines. The manifest
names, for every hostile line, the reason code and field it must be rejected with, and how many events
of the file must be accepted. streams-app's HostileCorpusTest runs every file through the batch command.
Files over 64 KiB are stored gzip-compressed (<name>.ndjson.gz); `zcat` one to try it with ./spine batch.

Run from the repository root: python3 samples/hostile/generate.py (standard library only).
"""
import gzip
import os

HERE = os.path.dirname(os.path.abspath(__file__))
T0 = '"occurredAt": "2024-03-10T09:00:00Z", "recordedAt": "2024-03-10T10:00:00Z"'


def procedure(eid, patient, extra=""):
    return ('{"type": "procedure", "eventId": "%s", "patientId": "%s", "occurredAt": "2024-03-04T10:15:00Z", '
            '"recordedAt": "2024-03-04T12:00:00Z", "sourceSystem": "hospital-h/epic", "codes": ["22510"], "levels": ["L1"], '
            '"ageYears": 78, "sex": "F"%s}' % (eid, patient, extra))


def followup(eid, patient, extra="", head=None):
    head = head if head is not None else ('"type": "followup", "eventId": "%s", "patientId": "%s", %s, '
                                          '"sourceSystem": "hospital-h/prom"' % (eid, patient, T0))
    return "{" + head + extra + "}"


def imaging(eid, patient, extra):
    return ('{"type": "imaging", "eventId": "%s", "patientId": "%s", "occurredAt": "2024-03-05T09:00:00Z", '
            '"recordedAt": "2024-03-05T10:00:00Z", "sourceSystem": "hospital-h/pacs", "phase": "POST", "modality": "CT"%s}'
            % (eid, patient, extra))


def valid_before(case):
    p = "MRN-OK-%s" % case
    return [procedure("ok-p", p), '{"type": "followup", "eventId": "ok-f1", "patientId": "%s", '
            '"occurredAt": "2024-03-01T09:00:00Z", "recordedAt": "2024-03-01T09:30:00Z", "sourceSystem": "hospital-h/prom", "painNrs": 8}' % p]


def valid_after(case):
    p = "MRN-OK-%s" % case
    return ['{"type": "followup", "eventId": "ok-f2", "patientId": "%s", "occurredAt": "2024-04-03T09:00:00Z", '
            '"recordedAt": "2024-04-03T09:30:00Z", "sourceSystem": "hospital-h/prom", "painNrs": 3, "odi": 30.5}' % p]


H = "MRN-H"
cases = []  # (name, [(text or bytes, expectation or None)], line end, accepted override)


def case(name, hostile, end="\n", before=None, after=None, extra_accepted=0, raw_prefix=b""):
    """hostile: list of (line, (reason, field)) or (line, [(reason, field), ...]) for lines that must be rejected."""
    cases.append((name, hostile, end, before, after, extra_accepted, raw_prefix))


def fu(extra):
    return followup("h-1", H, ", " + extra if extra else "")


# --- numbers judged on their text before any conversion
case("huge-exponent-nrs", [(fu('"painNrs": 1e999999999'), ("INVALID_PAIN_NRS", "painNrs"))])
case("huge-exponent-vas", [(fu('"painVas": 1E+999999999'), ("INVALID_PAIN_VAS", "painVas"))])
case("huge-negative-exponent-odi", [(fu('"odi": 5e-999999999'), ("INVALID_ODI", "odi"))])
case("exponent-beyond-long", [(fu('"eq5dIndex": 1e99999999999999999999'), ("INVALID_EQ5D", "eq5dIndex"))])
case("ten-huge-exponents", [(followup("h-%d" % i, H, ', "painNrs": 1e999999999'), ("INVALID_PAIN_NRS", "painNrs")) for i in range(1, 11)])
case("huge-exponent-cement", [(procedure("h-1", H, ', "cementVolumeMl": 1e999999999'), ("INVALID_VALUE", "cementVolumeMl"))])
case("digits-100k-integer", [(fu('"painNrs": 1' + "0" * 100_000), ("INVALID_PAIN_NRS", "painNrs"))])
case("digits-long-fraction", [(fu('"painVas": 5.' + "0" * 2000 + "1"), ("INVALID_PAIN_VAS", "painVas"))])
case("digits-41", [(procedure("h-1", H, ', "cementVolumeMl": 1.2345678901234567890123456789012345678901'), ("INVALID_VALUE", "cementVolumeMl"))])
case("exponent-41-and-40", [(fu('"painVas": 1e41'), ("INVALID_PAIN_VAS", "painVas")),
                            (followup("h-2", H, ', "painVas": 1e40'), ("INVALID_PAIN_VAS", "painVas"))])
case("nan-literal", [(fu('"painVas": NaN'), ("UNDECODABLE", "painVas"))])
case("infinity-literal", [(fu('"odi": Infinity'), ("UNDECODABLE", "odi"))])
case("negative-infinity-literal", [(fu('"eq5dIndex": -Infinity'), ("UNDECODABLE", "eq5dIndex"))])
# --- wrong JSON types
case("string-for-integer", [(fu('"painNrs": "7"'), ("UNDECODABLE", "painNrs"))])
case("number-for-id", [('{"type": "followup", "eventId": 42, "patientId": "MRN-H", %s, "sourceSystem": "s"}' % T0, ("UNDECODABLE", "eventId"))])
case("object-for-list", [(fu('"complications": {}'), ("UNDECODABLE", "complications"))])
case("boolean-for-enum", [(imaging("h-1", H, ', "measurements": [{"level": true}]'), ("UNDECODABLE", "measurements[0].level"))])
# --- nesting bombs
case("nested-array-bomb", [(fu('"complications": ' + "[" * 100_000 + "]" * 100_000), ("UNDECODABLE", "complications" + "[0]" * 9))])
case("nested-object-bomb", [(fu('"sourceSystem": ' + '{"a": ' * 50_000 + "1" + "}" * 50_000).replace('"sourceSystem": "hospital-h/prom", ', ""),
                             ("UNDECODABLE", "sourceSystem" + ".a" * 9))])
# --- repeated keys
case("duplicate-key", [(fu('"painNrs": 3, "painNrs": 9'), ("UNDECODABLE", "painNrs"))])
case("duplicate-key-nested", [(fu('"complications": [{"type": "NEW_VERTEBRAL_FRACTURE", "type": "CEMENT_LEAKAGE"}]'), ("UNDECODABLE", "complications[0].type"))])
# --- bytes and line ends
case("invalid-utf8", [(followup("h-1", H).encode().replace(b"hospital-h", b"hospital-\xc3\x28"), ("UNDECODABLE", "-"))])
case("utf8-encoded-surrogate", [(followup("h-1", H).encode().replace(b"MRN-H", b"MRN-\xed\xa0\x80"), ("UNDECODABLE", "-"))])
case("nul-byte-in-string", [(followup("h-1", H).encode().replace(b"hospital-h", b"hospital\x00h"), ("UNDECODABLE", "sourceSystem"))])
case("bom-at-start-and-mid-file", [("\ufeff" + followup("h-1", H, ', "painNrs": 2'), ("UNDECODABLE", "-"))], raw_prefix=b"\xef\xbb\xbf")
case("cr-only-line-ends", [(fu('"painNrs": 11'), ("INVALID_PAIN_NRS", "painNrs"))], end="\r")
case("crlf-line-ends", [(fu('"painVas": 101'), ("INVALID_PAIN_VAS", "painVas"))], end="\r\n")
case("mixed-line-ends", [("", None), (followup("h-1", H, "", head='"type": "followup", "eventId": "h-1", "patientId": "MRN-H", '
                                               '"recordedAt": "2024-03-10T10:00:00Z", "sourceSystem": "s"'), ("MISSING_FIELD", "occurredAt"))],
     end=["\n", "\r\n", "\r", "\r\n", "\n"])
case("blank-and-comment-lines", [("", None), ("   \t ", None), ("# a comment", None), ("", None), (fu('"painScore": 4'), ("UNDECODABLE", "painScore"))])
# --- sizes
case("string-1mb", [(fu("").replace("hospital-h/prom", "x" * 1_000_000), ("FIELD_TOO_LONG", "sourceSystem"))])
case("patient-id-1mb", [(fu("").replace('"MRN-H"', '"' + "M" * 1_000_000 + '"'), ("FIELD_TOO_LONG", "patientId"))])
case("event-id-513", [(followup("h" * 513, H), ("FIELD_TOO_LONG", "eventId"))])
case("source-system-257", [(fu("").replace("hospital-h/prom", "s" * 257), ("FIELD_TOO_LONG", "sourceSystem"))])
case("codes-101", [(procedure("h-1", H).replace('["22510"]', "[" + ", ".join(['"22510"'] * 101) + "]"), ("FIELD_TOO_LONG", "codes"))])
case("line-over-1mib", [(fu('"painNrs": 4' + " " * (1 << 20)), ("FIELD_TOO_LONG", "-"))])
case("key-of-300-characters", [(fu('"%s": 1' % ("k" * 300)), ("UNDECODABLE", "-"))])
case("hundred-bad-dates", [(fu('"complications": [' + ", ".join(['{"type": "NEW_VERTEBRAL_FRACTURE", "date": "1970-01-01"}'] * 100) + "]"),
                            ("INVALID_TIMESTAMP", "complications[0].date"))])
# --- identifiers
case("id-zero-width-space", [(fu("").replace('"MRN-H"', '"\\u200b"'), ("INVALID_IDENTIFIER", "patientId"))])
case("id-three-zero-width-spaces-raw", [(fu("").replace('"MRN-H"', '"\u200b\u200b\u200b"'), ("INVALID_IDENTIFIER", "patientId"))])
case("id-byte-order-mark", [(fu("").replace('"MRN-H"', '"\ufeff"'), ("INVALID_IDENTIFIER", "patientId"))])
case("id-control-character", [(followup("h\\u0007", H), ("INVALID_IDENTIFIER", "eventId"))])
case("id-no-break-space", [(fu("").replace('"MRN-H"', '"\\u00a0"'), ("INVALID_IDENTIFIER", "patientId"))])
case("id-right-to-left-override", [(fu("").replace('"MRN-H"', '"MRN\\u202eH"'), ("INVALID_IDENTIFIER", "patientId"))])
case("id-lone-surrogate", [(followup("h-\\ud800", H), ("INVALID_IDENTIFIER", "eventId"))])
case("id-trailing-space", [(fu("").replace('"MRN-H"', '"MRN-H "'), ("INVALID_IDENTIFIER", "patientId"))])
case("id-whitespace-only", [(fu("").replace('"MRN-H"', '" \\t "'), ("MISSING_ID", "patientId"))])
case("id-null", [(fu("").replace('"MRN-H"', "null"), ("MISSING_ID", "patientId"))])
case("id-missing", [(fu("").replace('"patientId": "MRN-H", ', ""), ("MISSING_ID", "patientId"))])
case("event-id-empty", [(followup("", H), ("MISSING_ID", "eventId"))])
case("corrects-word-joiner", [(fu('"corrects": "\\u2060"'), ("INVALID_IDENTIFIER", "corrects"))])
# --- ranges on the decimal as written (R35)
case("vas-just-above-100", [(fu('"painVas": 100.0000000000000001'), ("INVALID_PAIN_VAS", "painVas"))])
case("nrs-just-above-10", [(fu('"painNrs": 10.0000000001'), ("INVALID_PAIN_NRS", "painNrs"))])
case("height-just-above-60", [(imaging("h-1", H, ', "measurements": [{"level": "L1", "anteriorHeightMm": 60.00000000000000001}]'),
                               ("INVALID_HEIGHT", "measurements[0].anteriorHeightMm"))])
case("eq5d-just-below-minus-1", [(fu('"eq5dIndex": -1.0000000000000000001'), ("INVALID_EQ5D", "eq5dIndex"))])
case("odi-tiny-negative", [(fu('"odi": -0.00000000000000000001'), ("INVALID_ODI", "odi"))])
case("cement-tiny-negative", [(procedure("h-1", H, ', "cementVolumeMl": -0.000000000000000000001'), ("INVALID_VALUE", "cementVolumeMl"))])
case("negative-age", [(procedure("h-1", H).replace('"ageYears": 78', '"ageYears": -1'), ("INVALID_AGE", "ageYears"))])
case("negative-year-date", [(fu('"medications": [{"medicationClass": "BISPHOSPHONATE", "startDate": "-0001-01-01"}]'),
                             ("INVALID_TIMESTAMP", "medications[0].startDate"))])
case("timestamp-year-minus-a-billion", [(fu("").replace("2024-03-10T09:00:00Z", "-999999999-01-01T00:00:00Z"), ("INVALID_TIMESTAMP", "occurredAt"))])
case("timestamp-without-offset", [(fu("").replace("2024-03-10T09:00:00Z", "2024-03-10T09:00:00"), ("INVALID_TIMESTAMP", "occurredAt"))])
# --- symbols, missing fields, shapes
case("unknown-level", [(procedure("h-1", H).replace('["L1"]', '["L6"]'), ("INVALID_LEVEL", "levels[0]"))])
case("unknown-phase", [(imaging("h-1", H, ', "measurements": []').replace('"POST"', '"DURING"'), ("UNDECODABLE", "phase"))])
case("unknown-complication", [(fu('"complications": [{"type": "EXPLOSION"}]'), ("UNKNOWN_COMPLICATION_TYPE", "complications[0].type"))])
case("missing-source-system", [(fu("").replace(', "sourceSystem": "hospital-h/prom"', ""), ("MISSING_FIELD", "sourceSystem"))])
case("missing-type", [(fu("").replace('"type": "followup", ', ""), ("MISSING_FIELD", "type"))])
case("unknown-type", [(fu("").replace('"followup"', '"lab-result"'), ("WRONG_EVENT_TYPE", "type"))])
case("trailing-garbage", [(fu("") + " xyz", ("UNDECODABLE", "-"))])
case("two-objects-on-one-line", [(fu("") + fu(""), ("UNDECODABLE", "-"))])
case("array-instead-of-object", [("[" + fu("") + "]", ("UNDECODABLE", "-"))])
case("scalar-lines", [("42", ("UNDECODABLE", "-")), ('"followup"', ("UNDECODABLE", "-")), ("null", ("UNDECODABLE", "-")), ("true", ("UNDECODABLE", "-"))])
case("truncated-object", [('{"type": "followup", "eventId": "h-1"', ("UNDECODABLE", "-"))])
# --- a re-send that loses (R9) is rejected citing its own file line
case("duplicate-id-conflict", [(followup("ok-dup", H, ', "painNrs": 5'), None),
                               (followup("ok-dup", H, ', "painNrs": 6').replace('"recordedAt": "2024-03-10T10:00:00Z"', '"recordedAt": "2024-03-10T09:30:00Z"'),
                                ("DUPLICATE_ID_CONFLICT", "-"))], extra_accepted=1)


def main():
    for old in os.listdir(HERE):
        if old.endswith(".ndjson") or old.endswith(".ndjson.gz"):
            os.remove(os.path.join(HERE, old))
    rows = []
    for n, (name, hostile, end, before, after, extra_accepted, raw_prefix) in enumerate(cases, 1):
        tag = "%02d" % n
        lines = (before if before is not None else valid_before(tag)) + [h for h in hostile] + (after if after is not None else valid_after(tag))
        items = []
        for item in lines:
            items.append(item if isinstance(item, tuple) else (item, None))
        out = bytearray(raw_prefix)
        accepted = extra_accepted
        expectations = []
        for i, (text, expect) in enumerate(items):
            data = text if isinstance(text, bytes) else text.encode("utf-8")
            out += data
            line_end = end[i % len(end)] if isinstance(end, list) else end
            if i < len(items) - 1:
                out += line_end.encode()
            if expect is not None:
                expectations.append((i + 1, expect))
            elif text and not (isinstance(text, str) and (text.strip() == "" or text.strip().startswith("#"))):
                accepted += 1 if not (isinstance(text, str) and '"eventId": "ok-dup"' in text) else 0
        # line numbers: one per line end (\r\n counts once)
        file_name = "%s-%s.ndjson" % (tag, name)
        data = bytes(out)
        if len(data) > 64 * 1024:
            file_name += ".gz"
            data = gzip.compress(data, mtime=0)
        with open(os.path.join(HERE, file_name), "wb") as f:
            f.write(data)
        for line, (reason, field) in expectations:
            rows.append((file_name, line, reason, field, accepted))
    with open(os.path.join(HERE, "manifest.tsv"), "w") as f:
        f.write("# Hostile-input corpus: every line that must be rejected, with its reason code and field path (- for none),\n")
        f.write("# and the number of events of its file that must be accepted. Written by generate.py; see README.md.\n")
        f.write("file\tline\treason\tfield\taccepted\n")
        for row in rows:
            f.write("\t".join(str(x) for x in row) + "\n")
    print("%d case files, %d rejected lines" % (len(cases), len(rows)))


if __name__ == "__main__":
    main()
