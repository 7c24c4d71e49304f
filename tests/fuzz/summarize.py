"""Reads what scripts/fuzz-api's passes left and says where pingan and its OpenAPI document differ.

Usage: summarize.py OPENAPI_JSON OUT_DIR PASS_DIR...

Each PASS_DIR holds `pass.json` (role, base URL, operations selected, whether the token survived),
`obs.json` (every distinct method × path × status × content type received, from hooks.py) and
schemathesis's `junit-*.xml` and `json-*.json` reports. Two sources of failures:

* the responses received, checked here against the document: a 5xx; a status the operation does not
  document; a content type that the documented status does not list (or a body where it lists none);
* schemathesis's own failures (its JUnit report): the response-schema violations (ST108) and
  whatever else it found. Its undocumented-status and -content-type failures (ST103, ST105) are the
  same facts as the first kind, reported only once per operation, so they are counted but not
  listed again.

Prints a per-pass summary and the failures grouped by cause, writes OUT_DIR/report.md (everything,
with one reproducing curl per failure) and exits 1 when anything failed.
"""

from __future__ import annotations

import glob
import json
import os
import re
import sys
import xml.etree.ElementTree as ET
from collections import defaultdict

METHODS = ("get", "put", "post", "patch", "delete", "head", "options")


def documented(doc: dict) -> dict[tuple[str, str], dict[str, list[str] | None]]:
    """(METHOD, path) -> {status key -> content types documented (None: no body documented)}."""
    out = {}
    for path, item in doc.get("paths", {}).items():
        for method in METHODS:
            op = item.get(method)
            if not op:
                continue
            statuses = {}
            for status, resp in op.get("responses", {}).items():
                if "$ref" in resp:
                    name = resp["$ref"].rsplit("/", 1)[-1]
                    resp = doc.get("components", {}).get("responses", {}).get(name, {})
                content = resp.get("content")
                statuses[str(status)] = sorted(content) if content else None
            out[(method.upper(), path)] = statuses
    return out


def status_entry(statuses: dict, status: int):
    s = str(status)
    if s in statuses:
        return s
    if f"{s[0]}XX" in statuses:
        return f"{s[0]}XX"
    if "default" in statuses:
        return "default"
    return None


def type_matches(received: str, listed: list[str]) -> bool:
    for t in listed:
        t = t.split(";")[0].strip().lower()
        if t in ("*/*", received) or (t.endswith("/*") and received.startswith(t[:-1])):
            return True
    return False


def parse_junit(path: str) -> list[dict]:
    out = []
    for case in ET.parse(path).getroot().iter("testcase"):
        op = case.get("name", "?")
        for node in list(case.findall("failure")) + list(case.findall("error")):
            text = node.text or ""
            code = node.get("message") or node.tag
            title = re.search(r"^- (ST\d+ .*|.+)$", text, re.M)
            curl = re.search(r"Reproduce with:\s*\n\s*\n\s*(curl .+?)\n", text + "\n", re.S)
            out.append(
                {
                    "operation": op,
                    "code": code if node.tag == "failure" else f"error: {code[:80]}",
                    "title": title.group(1).strip() if title else code,
                    "text": text.strip(),
                    "curl": curl.group(1).strip() if curl else "",
                }
            )
    return out


def main() -> int:
    doc_path, out_dir, *pass_dirs = sys.argv[1:]
    doc = json.load(open(doc_path, encoding="utf-8"))
    docs = documented(doc)

    # group key -> {"ops": {op: set(roles)}, "example": (role, curl, body), "count": n}
    groups: dict[tuple, dict] = {}
    per_pass = []
    total_units = 0
    failed_units = set()
    problems = []  # run-level problems (token lost, schemathesis errors)

    def add(key, op, role, curl, body, count=1):
        g = groups.setdefault(key, {"ops": defaultdict(set), "example": None, "count": 0})
        g["ops"][op].add(role)
        g["count"] += count
        if g["example"] is None or len(curl) < len(g["example"][1]):
            g["example"] = (role, curl, body)
        failed_units.add((role, op))

    for d in pass_dirs:
        meta = json.load(open(os.path.join(d, "pass.json"), encoding="utf-8"))
        role = meta["role"]
        obs_path = os.path.join(d, "obs.json")
        obs = json.load(open(obs_path, encoding="utf-8")) if os.path.exists(obs_path) else None
        if obs is None:
            problems.append(f"{role}: no responses recorded (schemathesis did not run; see {d}/st.log)")
            obs = {"requests": 0, "responses": []}
        tested_ops = set()
        mismatches = 0
        for r in obs["responses"]:
            if r["method"] == "ERROR":
                problems.append(f"{role}: the response recorder failed: {r['path']}")
                continue
            op_key = (r["method"], r["path"])
            op = f"{r['method']} {r['path']}"
            statuses = docs.get(op_key)
            if statuses is not None:
                tested_ops.add(op)
            status, ctype = r["status"], r["content_type"] or "(none)"
            if statuses is None:
                # A method the path does not have (schemathesis tries some): 405 is the right answer.
                if r["status"] == 405:
                    continue
                add(
                    (f"method not in the document answered {r['status']}", "", ""),
                    op, role, r["curl"], r.get("body", ""), r["count"],
                )
                mismatches += 1
                continue
            if status >= 500:
                add((f"server error {status}", "", ""), op, role, r["curl"], r.get("body", ""), r["count"])
                mismatches += 1
            entry = status_entry(statuses, status)
            if entry is None:
                add(
                    (f"status {status} not documented", "", ""),
                    op, role, r["curl"], r.get("body", ""), r["count"],
                )
                mismatches += 1
                continue
            listed = statuses[entry]
            if listed is None:
                if not r.get("empty", True):
                    add(
                        (f"a {ctype} body on {status}, where no body is documented", "", ""),
                        op, role, r["curl"], r.get("body", ""), r["count"],
                    )
                    mismatches += 1
            elif not r.get("empty", False) and not type_matches(ctype, listed):
                add(
                    (f"content type {ctype} on {status}, documented as {', '.join(listed)}", "", ""),
                    op, role, r["curl"], r.get("body", ""), r["count"],
                )
                mismatches += 1
        junit = []
        for j in glob.glob(os.path.join(d, "junit-*.xml")):
            junit += parse_junit(j)
        st_counted = 0
        for f in junit:
            if f["code"] in ("ST103", "ST105"):
                st_counted += 1
                failed_units.add((role, f["operation"]))
                continue
            curl = f["curl"].replace("'Authorization: [Filtered]'", '"Authorization: Bearer $TOKEN"')
            if meta.get("base"):
                curl = curl.replace(meta["base"], "$PINGAN")
            if f["code"] == "ST108":
                # Each operation's schema violation is its own cause: name it with the first line.
                why = re.search(r"ST108 Response violates schema\s*\n\s*\n\s*(.+)", f["text"])
                at = re.search(r"Schema at (\S+?):?\n", f["text"])
                key = (
                    f"{f['operation']}: response violates its schema: {why.group(1).strip() if why else '?'}"
                    + (f" (at {at.group(1)})" if at else ""),
                    "", "",
                )
            else:
                key = (f"schemathesis {f['title']}", "", "")
            add(key, f["operation"], role, curl or "(see the report)", f["text"])
        for j in glob.glob(os.path.join(d, "json-*.json")):
            rep = json.load(open(j, encoding="utf-8"))
            for e in rep.get("errors") or []:
                problems.append(f"{role}: schemathesis error: {e.get('title')} ×{e.get('count')}")
        if not meta.get("token_alive", True):
            problems.append(f"{role}: the bearer token no longer worked after the pass (its later 401s are not real)")
        units = set(meta.get("operations") or tested_ops)
        total_units += len(units)
        per_pass.append(
            {
                "role": role,
                "requests": obs["requests"],
                "operations": len(tested_ops),
                "mismatches": mismatches,
                "st_failures": len(junit),
                "seconds": meta.get("seconds"),
            }
        )

    lines = ["## Per pass", "", "| pass | seconds | requests | operations answered | distinct mismatches | schemathesis failures |", "|---|---|---|---|---|---|"]
    for p in per_pass:
        lines.append(f"| {p['role']} | {p['seconds']} | {p['requests']} | {p['operations']} | {p['mismatches']} | {p['st_failures']} |")
    summary_table = list(lines)
    lines += ["", "## Failures by cause", ""]
    order = sorted(groups.items(), key=lambda kv: (-len(kv[1]["ops"]), kv[0]))
    for key, g in order:
        cause = key[0]
        lines.append(f"### {cause} — {len(g['ops'])} operation(s)")
        lines.append("")
        for op in sorted(g["ops"], key=lambda o: (o.split(" ", 1)[1], o)):
            lines.append(f"- `{op}` ({', '.join(sorted(g['ops'][op]))})")
        role, curl, body = g["example"]
        lines += ["", f"Reproduce (as {role}):", "", "```sh", curl, "```"]
        if body:
            b = body if len(body) < 1500 else body[:1500] + " …"
            lines += ["", "Answer/detail:", "", "```", b, "```"]
        lines.append("")
    if problems:
        lines += ["## Problems with the run itself", ""] + [f"- {p}" for p in problems] + [""]

    os.makedirs(out_dir, exist_ok=True)
    with open(os.path.join(out_dir, "report.md"), "w", encoding="utf-8") as f:
        f.write("# scripts/fuzz-api report\n\n")
        f.write("Reproduce with `PINGAN=http://127.0.0.1:PORT/api/v1` and `TOKEN=` a bearer token of the role named.\n\n")
        f.write("\n".join(lines) + "\n")

    # stdout: the table, then one line per cause.
    print("\n".join(summary_table).replace("## Per pass", "fuzz-api: per pass"))
    print()
    if groups:
        print(f"fuzz-api: {len(groups)} cause(s) of failure:")
        for key, g in order:
            ops = sorted(g["ops"])
            shown = ", ".join(ops[:4]) + (f", … ({len(ops) - 4} more)" if len(ops) > 4 else "")
            print(f"  - {key[0]}: {len(ops)} operation(s): {shown}")
        print(f"fuzz-api: details and a reproducing curl per cause in {os.path.join(out_dir, 'report.md')}")
    for p in problems:
        print(f"fuzz-api: PROBLEM: {p}")
    failed = len(failed_units)
    passed = max(total_units - len({u for u in failed_units}), 0)
    # The plain closing line: (pass, operation) pairs without and with a failure.
    print(f"fuzz-api: {passed} passed, {failed} failed")
    return 1 if groups or failed or problems else 0


if __name__ == "__main__":
    sys.exit(main())
