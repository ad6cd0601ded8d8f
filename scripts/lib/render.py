#!/usr/bin/python3
"""render.py - the one place HTML (and CSV) is written: JSON data in, a
template (scripts/templates/), an atomic write out.

    scripts/lib/render.py JOBS.jsonl      (or - for standard input)

Each line of JOBS is one job:

    {"page": "report.html", "data": "FILE.json", "out": "index.html",
     "vars": {"root": "../"}}
        renders templates/report.html with `d` = the parsed data file and
        every key of vars as a variable of its own;
    {"csv": "FILE.json", "out": "table.csv"}
        writes the array of flat objects in FILE as CSV, one column per
        key in the order keys first appear;
    {"json": "FILE.json", "out": "table.json"}
        writes FILE's data as JSON.

Any job may add "key": a path into the file (["pages", 3, "data"]), so
one file can carry a whole site's data.

Every value reaches HTML through Jinja2 with autoescape on: no page is
assembled from strings anywhere else. The data comes from the analysis
tool (benchstat) reshaped by jq; templates format and lay out, they
compute no statistics. Numbers are formatted by the filters below, which
print a dash for anything that is not a finite number, so text where a
number belongs (untrusted results) never reaches a page as a number.

A data file used by several jobs is parsed once, so one process renders a
whole site (about 0.3 s for Python and Jinja2 to start, then a few ms per
page). Exit status: 0; 1 when a page could not be rendered or written;
2 for bad usage or a job that names no template.
"""
import csv
import io
import json
import math
import os
import sys
import tempfile
import urllib.parse

try:
    import jinja2
except ImportError:
    sys.stderr.write("error: python3-jinja2 is not installed "
                     "(scripts/deps installs it)\n")
    sys.exit(2)

TEMPLATES = os.path.join(os.path.dirname(os.path.abspath(__file__)),
                         "..", "templates")


def is_num(v):
    return (isinstance(v, (int, float)) and not isinstance(v, bool)
            and math.isfinite(v))


def sig(v, digits=3):
    """v with `digits` significant digits, no exponent, no trailing .0."""
    if v == 0:
        return "0"
    places = max(0, digits - 1 - int(math.floor(math.log10(abs(v)))))
    s = "%.*f" % (places, v)
    # Rounding can carry into a new digit (999.6 -> "1000"): fine as is.
    return s


# SI prefixes for counts and rates: 83409097031.996 -> "83.4 G".
SI = [(1e12, "T"), (1e9, "G"), (1e6, "M"), (1e3, "k")]


def f_si(v, unit="", digits=3):
    if not is_num(v):
        return "\u2013"
    for scale, prefix in SI:
        if abs(v) >= scale * 0.9995:
            return "%s\u00a0%s%s" % (sig(v / scale, digits), prefix, unit)
    return sig(v, digits) + ("\u00a0" + unit if unit else "")


def f_dur(ns, digits=3):
    """Nanoseconds as a time with its unit: 1234.5 -> "1.23 us"."""
    if not is_num(ns):
        return "\u2013"
    for scale, unit in ((1e9, "s"), (1e6, "ms"), (1e3, "\u00b5s")):
        if abs(ns) >= scale * 0.9995:
            return "%s\u00a0%s" % (sig(ns / scale, digits), unit)
    return "%s\u00a0ns" % sig(ns, digits)


def f_bytes(v):
    """Bytes, binary prefixes: 65536 -> "64 KiB"."""
    if not is_num(v):
        return "\u2013"
    for scale, unit in ((1 << 40, "TiB"), (1 << 30, "GiB"), (1 << 20, "MiB"),
                        (1 << 10, "KiB")):
        if abs(v) >= scale:
            return "%s\u00a0%s" % (sig(v / scale), unit)
    return "%d\u00a0B" % v


def metric_kind(name):
    name = name if isinstance(name, str) else ""
    if name in ("real_time", "cpu_time", "auto") or name.endswith("_ns"):
        return "time"
    if name == "bytes_per_second" or name.endswith("bytes_per_second"):
        return "byte_rate"
    if name == "items_per_second" or name.endswith("_per_second"):
        return "rate"
    if name.endswith("_bytes") or name == "bytes":
        return "bytes"
    return "count"


def f_metric(v, name="real_time"):
    """A value of a metric (benchstat's units: ns for times) with its unit."""
    kind = metric_kind(name)
    if kind == "time":
        return f_dur(v)
    if kind == "byte_rate":
        return f_si(v, "B/s")
    if kind == "rate":
        return f_si(v, "/s")
    if kind == "bytes":
        return f_bytes(v)
    return f_si(v)


def f_ratio(v, digits=3):
    return sig(v, digits) + "\u00d7" if is_num(v) else "\u2013"


def f_pct(v, digits=2):
    """A share (0.05) as a percentage ("5.0%")."""
    return sig(100 * v, digits) + "%" if is_num(v) else "\u2013"


def f_change(v):
    """A ratio as a signed change: 1.15 -> "+15.0%"."""
    if not is_num(v):
        return "\u2013"
    return "%+.1f%%" % (100 * (v - 1))


def f_num(v, digits=3):
    return sig(v, digits) if is_num(v) else "\u2013"


def f_int(v):
    return "%d" % v if is_num(v) else "\u2013"


def f_when(s):
    """ISO 8601 time as "2026-12-03 18:41"; anything else as given."""
    if isinstance(s, str) and len(s) >= 16 and s[10] == "T":
        return s[:10] + " " + s[11:16]
    return s if isinstance(s, str) else "\u2013"


def f_path(s):
    """One path component for an href: every reserved character quoted."""
    return urllib.parse.quote(str(s), safe="")


VERDICT_CLASS = {"holds": "holds", "does not hold": "fails",
                 "inconclusive": "inconc", "not testable": "untestable"}
VERDICT_TEXT = {"not testable": "not testable here"}


def f_vclass(v):
    return VERDICT_CLASS.get(v, "inconc")


def f_vtext(v):
    return VERDICT_TEXT.get(v, v if isinstance(v, str) else "\u2013")


def f_scale(v, lo, hi, size, flip=True):
    """Position of v on an axis from lo to hi, size pixels long (SVG)."""
    if not (is_num(v) and is_num(lo) and is_num(hi)) or hi <= lo:
        return size / 2
    x = (v - lo) / (hi - lo) * size
    return round(size - x if flip else x, 1)


FILTERS = {
    "si": f_si, "dur": f_dur, "bytes": f_bytes, "metric": f_metric,
    "ratio": f_ratio, "pct": f_pct, "change": f_change, "num": f_num,
    "int": f_int, "when": f_when, "path": f_path, "vclass": f_vclass,
    "vtext": f_vtext, "scale": f_scale,
}


def environment():
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES),
        autoescape=True, undefined=jinja2.ChainableUndefined,
        trim_blocks=True, lstrip_blocks=True)
    env.filters.update(FILTERS)
    env.tests["number"] = is_num
    return env


def write_atomic(path, text):
    """text to path through a temporary file and rename."""
    d = os.path.dirname(path) or "."
    os.makedirs(d, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=d, prefix=".render.")
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as f:
            f.write(text)
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)
        os.replace(tmp, path)
    except BaseException:
        os.unlink(tmp)
        raise


def csv_cell(v):
    """A cell, defused: text a spreadsheet would run as a formula gets a
    leading quote (results are untrusted)."""
    if v is None:
        return ""
    if isinstance(v, (dict, list)):
        v = json.dumps(v, ensure_ascii=False)
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, str) and v[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + v
    return v


def to_csv(rows):
    cols = []
    for r in rows:
        for k in r:
            if k not in cols:
                cols.append(k)
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(cols)
    for r in rows:
        w.writerow([csv_cell(r.get(k)) for k in cols])
    return buf.getvalue()


def main(argv):
    if len(argv) != 2:
        sys.stderr.write("usage: render.py JOBS.jsonl\n")
        return 2
    src = sys.stdin if argv[1] == "-" else open(argv[1], encoding="utf-8")
    env = environment()
    cache = {}
    status = 0

    def load(path, key=()):
        if path not in cache:
            with open(path, encoding="utf-8") as f:
                cache[path] = json.load(f)
        v = cache[path]
        for k in key:
            v = v[k]
        return v

    for n, line in enumerate(src, 1):
        if not line.strip():
            continue
        job = json.loads(line)
        out = job.get("out")
        try:
            key = job.get("key", ())
            if "csv" in job:
                rows = load(job["csv"], key)
                if not isinstance(rows, list):
                    raise ValueError("not an array of rows")
                write_atomic(out, to_csv([r for r in rows
                                          if isinstance(r, dict)]))
            elif "json" in job:
                write_atomic(out, json.dumps(load(job["json"], key),
                                             indent=1, ensure_ascii=False)
                             + "\n")
            elif "page" in job:
                tpl = env.get_template(job["page"])
                data = load(job["data"], key) if "data" in job else None
                write_atomic(out, tpl.render(d=data, **job.get("vars", {})))
            else:
                sys.stderr.write("error: job %d names no page or csv\n" % n)
                return 2
        except (OSError, ValueError, KeyError, IndexError, TypeError,
                jinja2.TemplateError) as e:
            sys.stderr.write("error: cannot write %s: %s\n" % (out, e))
            status = 1
    return status


if __name__ == "__main__":
    sys.exit(main(sys.argv))
