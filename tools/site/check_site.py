#!/usr/bin/env python
"""Check the built documentation site in headless Chromium, page by page, as a reader would see it.

    python tools/site/check_site.py --site _site --nbs nbs [--screenshots shots/] [--katex auto|none|DIR]

Serves the site on 127.0.0.1 (a free port), loads every .html page and fails (exit 1) on:
  - a JavaScript error on the page, or an error in the console (not counting the loads of outside
    resources that this offline check blocks);
  - a same-site link, stylesheet, script or picture whose file is not in the site, a same-site request
    answered with an HTTP error, or a link to `page.html#anchor` whose page has no such id;
  - a picture that did not load (naturalWidth 0);
  - a page made from a notebook in --nbs that shows fewer pictures than the image outputs (image/png,
    image/svg+xml, ...) saved in that notebook's visible code cells, or a notebook with no page;
  - a visible code cell of such a notebook that draws with matplotlib but has no picture saved (the notebook
    was committed without being run, so its page would lack the plot);
  - maths left as raw TeX in the text (`$$`, `$x^2$` outside code), and, when KaTeX can be loaded
    (--katex: Debian's libjs-katex in /usr/share/javascript/katex, found by default), maths that KaTeX did
    not render or rendered as an error;
  - a page with no navbar or no title.
Outside resources are never fetched: the KaTeX files the pages ask a CDN for are answered from the local
KaTeX when there is one. The last line is `N pages checked, M with problems`.
"""
import argparse
import ast
import functools
import http.server
import json
import mimetypes
import re
import sys
import threading
import time
from pathlib import Path, PurePosixPath
from urllib.parse import unquote, urlsplit

IMAGE_MIMES = ("image/png", "image/svg+xml", "image/jpeg", "image/gif")
CHROMIUM = "/usr/bin/chromium"
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
         "--disable-sync", "--no-first-run"]
KATEX_CDN = re.compile(r"^https?://cdn\.jsdelivr\.net/npm/katex@[^/]+/dist/(.+)$")
KATEX_DIRS = [Path("/usr/share/javascript/katex"), Path("/usr/share/nodejs/katex/dist")]


# ------------------------------------------------------------------ what the notebooks hold

DIRECTIVE = re.compile(r"^\s*#\s*\|\s?(.*?)\s*$")
HIDDEN = {"hide", "export", "exporti", "default_exp"}  # nbdev drops these cells from the docs


def cell_options(src: str) -> dict:
    "The `#|` directives at the top of a code cell: `key: value` and bare words (nbdev's `hide`, `export`)."
    opts = {}
    for line in src.splitlines():
        m = DIRECTIVE.match(line)
        if not m:
            if line.strip():
                break
            continue
        key, sep, val = m.group(1).partition(":")
        if sep:
            opts[key.strip()] = val.strip().lower()
        else:
            for w in key.split():
                opts[w] = "true"
    return opts


def shown_images(nb_path: Path) -> int:
    "How many image outputs the docs page of a notebook should show: those of code cells that nbdev/Quarto keep."
    nb = json.loads(nb_path.read_text(encoding="utf-8"))
    n = 0
    for cell in nb.get("cells", []):
        if cell.get("cell_type") != "code":
            continue
        src = "".join(cell.get("source", "")) if isinstance(cell.get("source"), list) else cell.get("source", "")
        o = cell_options(src)
        if HIDDEN & o.keys() or o.get("include") == "false" or o.get("output") == "false":
            continue
        for out in cell.get("outputs", []):
            if any(m in (out.get("data") or {}) for m in IMAGE_MIMES) and "text/html" not in (out.get("data") or {}):
                n += 1
    return n


PLOTS = re.compile(r"plt\.(show|subplots|figure|imshow|plot)\(|\.imshow\(")


def _draws(src: str) -> bool:
    "Whether a cell draws when it runs: a matplotlib call outside the functions and classes it only defines."
    code = "\n".join(l for l in src.splitlines() if not l.lstrip().startswith(("#", "%", "!")))
    try:
        tree = ast.parse(code)
    except SyntaxError:
        return bool(PLOTS.search(code))
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            continue
        if PLOTS.search(ast.get_source_segment(code, node) or ""):
            return True
    return False


def unplotted_cells(nb_path: Path) -> list[str]:
    """Visible code cells that draw with matplotlib but have no picture saved: a notebook committed without running
    it (its page would show the code and no plot). Cells that never run here (`gpu`, `eval: false`) don't count."""
    nb = json.loads(nb_path.read_text(encoding="utf-8"))
    bad = []
    for k, cell in enumerate(nb.get("cells", [])):
        if cell.get("cell_type") != "code":
            continue
        src = "".join(cell.get("source", "")) if isinstance(cell.get("source"), list) else cell.get("source", "")
        o = cell_options(src)
        if HIDDEN & o.keys() or o.get("include") == "false" or o.get("output") == "false" or "gpu" in o or o.get("eval") == "false":
            continue
        if _draws(src) and not any(any(m in (out.get("data") or {}) for m in IMAGE_MIMES) for out in cell.get("outputs", [])):
            bad.append(f"{nb_path}: code cell {k} draws a plot but has no picture saved (run the notebook and save it: tools/site/execute_nbs.py)")
    return bad


def nb_pages(nbs: Path, site: Path) -> tuple[dict, list[str]]:
    "Map each page (site-relative path) to (notebook, image outputs), and list the notebooks that have no page."
    pages, missing = {}, []
    for nb in sorted(nbs.rglob("*.ipynb")):
        rel = nb.relative_to(nbs)
        if any(p.startswith(("_", ".")) for p in rel.parts):
            continue
        # nbdev names the page as its output-file: 01_core.ipynb -> core.html; smalldocs alone keeps 01_core.html
        nbdev_name = rel.with_name(re.sub(r"^\d+[a-zA-Z0-9]*_", "", rel.name.lower())).with_suffix(".html")
        for cand in (nbdev_name, rel.with_suffix(".html")):
            if (site / cand).is_file():
                pages[cand.as_posix()] = (nb, shown_images(nb))
                break
        else:
            missing.append(f"{nb}: no page for it in {site} (looked for {nbdev_name.as_posix()} and {rel.with_suffix('.html').as_posix()})")
        missing += unplotted_cells(nb)
    return pages, missing


def api_anchors(lib: Path) -> list[tuple[str, str, str]]:
    """The (symbol, page, anchor) of each exported name: nbdev's `_modidx.py` gives the doc link of every symbol,
    each module's `__all__` says which are public. nbdev adds a show_doc section (signature, docments) for each."""
    idx = lib / "_modidx.py"
    if not idx.is_file():
        return []
    d = ast.literal_eval(idx.read_text(encoding="utf-8").split("=", 1)[1].strip())
    out = []
    for mod, syms in (d.get("syms") or {}).items():
        public = set()
        for _, f in syms.values():
            py = lib.parent / f
            if py.is_file():
                for node in ast.parse(py.read_text(encoding="utf-8")).body:
                    if isinstance(node, ast.Assign) and any(getattr(t, "id", None) == "__all__" for t in node.targets):
                        try:
                            public |= set(ast.literal_eval(node.value))
                        except ValueError:
                            pass
                break
        for full, (link, _) in syms.items():
            name = full[len(mod) + 1:]
            if "." in name or name not in public or "#" not in link:
                continue
            page, frag = link.split("#", 1)
            out.append((full, page, frag))
    return out


def default_lib() -> str:
    "The library folder named by settings.ini (lib_path) in the current folder, if any."
    ini = Path("settings.ini")
    if ini.is_file():
        m = re.search(r"^lib_path\s*=\s*(\S+)", ini.read_text(encoding="utf-8"), re.M)
        if m and Path(m.group(1)).is_dir():
            return m.group(1)
    return ""


# ------------------------------------------------------------------ serving the site

class Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *a):
        pass


def serve(site: Path) -> tuple[http.server.ThreadingHTTPServer, str]:
    srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Quiet, directory=str(site)))
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    return srv, f"http://127.0.0.1:{srv.server_address[1]}/"


def find_katex(opt: str) -> Path | None:
    if opt == "none":
        return None
    if opt != "auto":
        d = Path(opt)
        if not (d / "katex.min.js").is_file():
            sys.exit(f"check_site: --katex {opt}: no katex.min.js there")
        return d
    return next((d for d in KATEX_DIRS if (d / "katex.min.js").is_file()), None)


def katex_file(katex: Path, rel: str) -> Path | None:
    "The local file for a CDN KaTeX path; Debian ships contrib/*.js unminified."
    for cand in (rel, rel.replace(".min.js", ".js"), rel.replace(".min.css", ".css")):
        f = katex / cand
        if f.is_file():
            return f
    return None


# ------------------------------------------------------------------ one page, seen in the browser

PAGE_JS = r"""() => {
  const out = {links: [], resources: [], images: [], ids: [], rawTex: [], math: 0, mathRendered: 0,
               mathUnrendered: [], katexErrors: [], outputPictures: 0, navbar: !!document.querySelector('nav.navbar, header nav'),
               sidebar: !!document.querySelector('#quarto-sidebar'), title: (document.querySelector('h1') || {}).textContent || ''};
  for (const a of document.querySelectorAll('a[href]')) out.links.push([a.getAttribute('href'), a.href, (a.textContent || '').trim().slice(0, 40)]);
  for (const e of document.querySelectorAll('link[href]')) if ((e.rel || '').includes('stylesheet') || e.rel === 'icon') out.resources.push([e.getAttribute('href'), e.href]);
  for (const e of document.querySelectorAll('script[src]')) out.resources.push([e.getAttribute('src'), e.src]);
  for (const e of document.querySelectorAll('[id]')) out.ids.push(e.id);
  for (const img of document.querySelectorAll('img')) {
    const src = img.getAttribute('src') || '';
    out.images.push({src: src.startsWith('data:') ? src.slice(0, 40) + '...' : src, url: img.currentSrc || img.src,
                     ok: img.complete && img.naturalWidth > 0, output: !!img.closest('.cell-output')});
  }
  for (const o of document.querySelectorAll('.cell-output')) {
    for (const img of o.querySelectorAll('img')) if (img.complete && img.naturalWidth > 0) out.outputPictures++;
    for (const svg of o.querySelectorAll('svg')) {
      if (svg.parentElement.closest('svg') || svg.closest('.katex')) continue;
      const r = svg.getBoundingClientRect();
      if (r.width > 0 && r.height > 0) out.outputPictures++;
    }
  }
  for (const m of document.querySelectorAll('span.math')) {
    out.math++;
    if (m.querySelector('.katex')) out.mathRendered++; else if (out.mathUnrendered.length < 5) out.mathUnrendered.push(m.textContent.slice(0, 80));
  }
  for (const e of document.querySelectorAll('.katex-error')) out.katexErrors.push((e.getAttribute('title') || e.textContent).slice(0, 120));
  for (const e of document.querySelectorAll('.katex')) {  // an undefined macro: KaTeX draws it in red (errorColor) rather than failing
    const bad = e.querySelector('.katex-mathml mstyle[mathcolor="#cc0000"] mtext');
    if (bad) out.katexErrors.push(`undefined macro ${bad.textContent} in ${(e.querySelector('annotation') || {}).textContent || ''}`.slice(0, 120));
  }
  const root = document.body;
  const skip = 'pre, code, script, style, textarea, .math, .katex, .sourceCode';
  const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
  const tex = /\$\$|\$[^$\n]*[\\^_{}][^$\n]*\$|\\\(|\\\[[^\]]*\\\]/;
  for (let n = walker.nextNode(); n; n = walker.nextNode()) {
    const p = n.parentElement;
    if (!p || p.closest(skip)) continue;
    const t = n.textContent;
    if (tex.test(t) && out.rawTex.length < 5) out.rawTex.push(t.trim().replace(/\s+/g, ' ').slice(0, 100));
  }
  return out;
}"""


def check_page(page, url: str, origin: str, katex: Path | None, timeout_ms: int) -> tuple[dict, list[str]]:
    problems: list[str] = []
    errors: list[str] = []

    def on_console(msg):
        if msg.type != "error":
            return
        loc = (msg.location or {}).get("url", "")
        if msg.text.startswith("Failed to load resource") and loc and not loc.startswith(origin):
            return  # an outside resource, blocked on purpose (offline)
        errors.append(f"console error: {msg.text[:300]}" + (f" ({loc})" if loc else ""))

    def on_response(resp):
        if resp.url.startswith(origin) and resp.status >= 400:
            errors.append(f"HTTP {resp.status} for {resp.url[len(origin) - 1:]}")

    def on_failed(req):
        if req.url.startswith(origin):
            errors.append(f"request failed: {req.url[len(origin) - 1:]} ({req.failure})")

    page.on("pageerror", lambda e: errors.append(f"JavaScript error: {str(e)[:300]}"))
    page.on("console", on_console)
    page.on("response", on_response)
    page.on("requestfailed", on_failed)
    try:
        page.goto(url, wait_until="load", timeout=timeout_ms)
        try:
            page.wait_for_load_state("networkidle", timeout=min(timeout_ms, 5000))
        except Exception:
            pass
        info = page.evaluate(PAGE_JS)
    except Exception as e:  # a page that does not load at all
        problems.append(f"did not load: {str(e).splitlines()[0][:300]}")
        info = None
    finally:
        page.remove_listener("console", on_console)
        page.remove_listener("response", on_response)
        page.remove_listener("requestfailed", on_failed)
    problems += errors
    return info, problems


# ------------------------------------------------------------------ the whole site

def site_file(site: Path, origin: str, absolute_url: str) -> tuple[Path | None, str, str]:
    "The file a same-site URL names (None when it lies outside the site), its site-relative path, and its fragment."
    parts = urlsplit(absolute_url)
    path = unquote(parts.path)
    rel = path.lstrip("/")
    if rel == "" or rel.endswith("/"):
        rel += "index.html"
    f = (site / rel).resolve()
    if site.resolve() not in (f, *f.parents):
        return None, rel, parts.fragment
    if f.is_dir():
        f, rel = f / "index.html", rel.rstrip("/") + "/index.html"
    return f, rel, unquote(parts.fragment)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--site", default="_site", help="the built site (default _site)")
    ap.add_argument("--nbs", default="nbs", help="the notebooks the pages are made from (default nbs); '' to skip the picture count")
    ap.add_argument("--lib", default=None, help="the library whose exported names must each have their API section (default: "
                    "lib_path of ./settings.ini); '' to skip")
    ap.add_argument("--screenshots", default=None, help="save a full-page PNG of each page in this folder")
    ap.add_argument("--katex", default="auto", help="a local KaTeX dist folder to answer the CDN's KaTeX requests: auto (look in "
                    "/usr/share/javascript/katex, from Debian's libjs-katex), none, or a folder")
    ap.add_argument("--chromium", default=CHROMIUM, help=f"the Chromium binary (default {CHROMIUM})")
    ap.add_argument("--width", type=int, default=1280, help="the window width in pixels (default 1280)")
    ap.add_argument("--timeout", type=float, default=30, help="seconds allowed for one page to load (default 30)")
    a = ap.parse_args()

    site = Path(a.site)
    if not (site / "index.html").is_file():
        print(f"check_site: {site}/index.html does not exist: build the site first (bash tools/site/build_site.sh)")
        return 1
    htmls = sorted(p.relative_to(site).as_posix() for p in site.rglob("*.html") if "site_libs" not in p.relative_to(site).parts)
    expected, missing_pages = nb_pages(Path(a.nbs), site) if a.nbs else ({}, [])
    katex = find_katex(a.katex)
    shots = Path(a.screenshots) if a.screenshots else None
    if shots:
        shots.mkdir(parents=True, exist_ok=True)
    srv, origin = serve(site)
    from playwright.sync_api import sync_playwright

    t0 = time.time()
    results: dict[str, list[str]] = {}
    infos: dict[str, dict] = {}
    blocked: set[str] = set()
    math_pages = 0
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=a.chromium, args=FLAGS)
        ctx = browser.new_context(viewport={"width": a.width, "height": 900}, service_workers="block")

        def route(r):
            url = r.request.url
            if url.startswith(origin):
                return r.continue_()
            m = KATEX_CDN.match(url)
            f = katex_file(katex, m.group(1).split("?")[0]) if (m and katex) else None
            if f is not None:
                ctype = mimetypes.guess_type(f.name)[0] or ("font/woff2" if f.suffix == ".woff2" else "application/octet-stream")
                return r.fulfill(status=200, body=f.read_bytes(), headers={"Content-Type": ctype, "Access-Control-Allow-Origin": "*"})
            blocked.add(re.sub(r"^(https?://[^/]+/[^?#]{0,60}).*", r"\1", url))
            return r.abort()

        ctx.route("**/*", route)
        page = ctx.new_page()
        for rel in htmls:
            info, problems = check_page(page, origin + rel, origin, katex, int(a.timeout * 1000))
            results[rel] = problems
            if info is None:
                continue
            infos[rel] = info
            if not info["navbar"]:
                problems.append("no navbar")
            if not info["title"].strip():
                problems.append("no title (h1)")
            for img in info["images"]:
                if not img["ok"]:
                    problems.append(f"picture did not load: {img['src'] or '(no src)'}")
            if info["math"]:
                math_pages += 1
            for t in info["rawTex"]:
                problems.append(f"raw TeX in the text (maths not parsed): {t!r}")
            if katex:
                if info["math"] > info["mathRendered"]:
                    problems.append(f"{info['math'] - info['mathRendered']} of {info['math']} maths not rendered by KaTeX, e.g. "
                                    + "; ".join(repr(s) for s in info["mathUnrendered"][:3]))
                for e in info["katexErrors"]:
                    problems.append(f"KaTeX error: {e}")
            if rel in expected:
                nb, want = expected[rel]
                if info["outputPictures"] < want:
                    problems.append(f"shows {info['outputPictures']} picture(s) from cell outputs, but {nb} has {want} image output(s)")
            if shots:
                page.screenshot(path=str(shots / (rel.replace("/", "__").removesuffix(".html") + ".png")), full_page=True)
        browser.close()
    srv.shutdown()

    # links and resources, checked against the site's files and the ids each page has
    ids = {rel: set(info["ids"]) for rel, info in infos.items()}
    for rel, info in infos.items():
        seen = set()
        for raw, absolute, text in info["links"] + [(r, u, "") for r, u in info["resources"]]:
            if not absolute.startswith(origin) or raw.startswith("#") or absolute in seen:
                continue  # outside links (http(s) elsewhere, mailto:, ...) and anchors of the page itself
            seen.add(absolute)
            f, target, frag = site_file(site, origin, absolute)
            label = f"{raw!r}" + (f" ({text})" if text else "")
            if f is None:
                results[rel].append(f"link outside the site: {label}")
            elif not f.is_file():
                results[rel].append(f"broken link: {label} -> {target} does not exist")
            elif frag and target in ids and frag not in ids[target]:
                results[rel].append(f"broken anchor: {label} -> {target} has no id {frag!r}")

    # the API docs: each exported name has its show_doc section where nbdev's links point
    lib = default_lib() if a.lib is None else a.lib
    api = api_anchors(Path(lib)) if lib else []
    api_missing: dict[str, list[str]] = {}  # a page that nbdev's links name but the site lacks: its symbols
    for full, target, frag in api:
        if target not in ids:
            api_missing.setdefault(target, []).append(full.rpartition(".")[2])
        elif frag not in ids[target]:
            results[target].append(f"API docs: no section for {full} (no id {frag!r}): is it exported without show_doc output?")

    bad = {rel: probs for rel, probs in results.items() if probs}
    for rel in htmls:
        probs = results[rel]
        extra = ""
        if rel in infos:
            i = infos[rel]
            want = expected.get(rel, (None, None))[1]
            extra = (f"  [{i['outputPictures']} output picture(s)" + (f", notebook has {want}" if want is not None else "")
                     + (f", {i['mathRendered']}/{i['math']} maths rendered" if katex else f", {i['math']} maths") + "]")
        print(f"{'FAIL' if probs else 'ok  '}  {rel}{extra}")
        for pr in probs:
            print(f"        - {pr}")
    for m in missing_pages:
        print(f"FAIL  {m}")
    for target, names in sorted(api_missing.items()):
        print(f"FAIL  API docs: {target} (where nbdev's links put {', '.join(names[:6])}{' ...' if len(names) > 6 else ''}) is not in the site")
    if api:
        n_missing = sum(map(len, api_missing.values())) + sum(p.startswith("API docs") for ps in results.values() for p in ps)
        print(f"API docs: {len(api) - n_missing} of the {len(api)} exported names of {lib} have their section")
    if math_pages and not katex:
        print("note: KaTeX is not installed here (apt-get install libjs-katex), so the maths were checked as markup "
              "(no raw TeX left in the text), not as rendered formulas; use --katex DIR to point at a KaTeX dist folder")
    if blocked:
        print(f"note: {len(blocked)} outside resource(s) blocked (offline): {', '.join(sorted(blocked)[:4])}{' ...' if len(blocked) > 4 else ''}")
    if shots:
        print(f"screenshots in {shots}/")
    print(f"checked in {time.time() - t0:.1f}s")
    n_bad = len(bad) + len(missing_pages) + len(api_missing)
    print(f"{len(htmls)} pages checked, {n_bad} with problems")
    return 1 if n_bad else 0


if __name__ == "__main__":
    sys.exit(main())
