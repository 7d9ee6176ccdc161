#!/usr/bin/env bash
# Build the documentation site offline, from the same processed notebooks that `nbdev_docs` renders with Quarto:
#   1. nbdev_proc_nbs: nbs/ -> _proc/ (front matter, hidden cells dropped, show_doc cells run: the API docs)
#   2. smalldocs, through the stand-in tools/site/quarto: _proc/ -> _proc/<output-dir>, pages named as their
#      `output-file` (01_core.ipynb -> core.html, as Quarto and nbdev's links have it), index.ipynb -> index.html
#   3. the site moved to _site/ (printed on the last line)
# Usage: bash tools/site/build_site.sh          (from anywhere; PY=/path/to/python picks the environment, default .venv)
# Check it in a browser: .venv/bin/python tools/site/check_site.py --site _site --nbs nbs
set -euo pipefail
cd "$(dirname "$0")/../.."
root=$PWD
PY=${PY:-.venv/bin/python}
if [[ $PY == */* ]]; then bin=$(cd "$(dirname "$PY")" && pwd); else bin=$(dirname "$(command -v "$PY")"); fi
[[ -x $bin/nbdev_proc_nbs ]] || { echo "build_site: no nbdev_proc_nbs beside $PY (install the dev tools: pip install -e '.[dev]')" >&2; exit 1; }
"$bin/python" -c "import smalldocs" 2>/dev/null || { echo "build_site: smalldocs is not installed in $bin" >&2; exit 1; }
# tools/site/ first: nbdev looks for `quarto` before it processes anything, and without one it tries to download and
# sudo-install Quarto, then pip-installs the package; the stand-in stops that and renders the site
export PATH="$root/tools/site:$bin:$PATH" QUARTO_PYTHON="$bin/python"
# the show_doc cells import the package: make it importable even where it is not pip-installed
export PYTHONPATH="$root${PYTHONPATH:+:$PYTHONPATH}" MPLBACKEND=Agg
t0=$SECONDS

# 1. an empty _proc first, so that a renamed or deleted notebook leaves no stale page behind.
#    --file_re: nbdev_proc_nbs passes its empty default to nbdev_sidebar, which would list every file of nbs/
#    (nbdev.yml, styles.css, ...) in the sidebar; this is the pattern nbdev_docs uses.
echo "== nbdev_proc_nbs -> _proc/"
rm -rf _proc   # start from an empty _proc (not --force: nbdev passes it on to nbdev_sidebar, which would then overwrite the
               # hand-written nbs/sidebar.yml that custom_sidebar = True in settings.ini asks nbdev to keep)
proc_args=(--file_re '\.(?:ipynb|qmd|html)$')
proc_failed() {
  echo "build_site: nbdev_proc_nbs failed (above: the notebook and cell). It runs each notebook's cells that hold an import," >&2
  echo "  an export or a show_doc, not the others: a cell that mixes an import with code using earlier cells' names" >&2
  echo "  fails there (nbdev warns 'Found cells containing imports and other code'): give imports cells of their own" >&2
  exit 1
}
if [[ $root != */.* ]]; then
  "$bin/nbdev_proc_nbs" "${proc_args[@]}" || proc_failed
else
  # nbdev 2 skips every file whose absolute path has a folder starting with '.', so a clone under such a folder
  # (~/.cache/..., /tmp/.x/...) would process nothing: run the same command, judging only the path below the repo
  "$bin/python" -c '
import os, sys
from pathlib import Path
import nbdev.serve, nbdev.quarto
orig = nbdev.serve._proc_file
def _proc_file(s, cache, path, mtime=None):
    return orig(Path(os.path.relpath(s)), cache, Path(os.path.relpath(path)), mtime=mtime)
nbdev.serve._proc_file = _proc_file
sys.argv[0] = "nbdev_proc_nbs"
nbdev.quarto.nbdev_proc_nbs()
' "${proc_args[@]}" || proc_failed
fi
[[ -n $(find _proc -maxdepth 1 -name '*.ipynb' -print -quit) ]] || { echo "build_site: nbdev_proc_nbs wrote no notebook to _proc/" >&2; exit 1; }

# 2. render _proc with smalldocs (tools/site/quarto render = smalldocs + output-file names + link rewriting)
echo "== smalldocs -> site"
out=$("$bin/python" -c "from smalldocs.config import load; print(load('_proc').output)")
(cd _proc && "$root/tools/site/quarto" render --no-cache)
[[ -f $out/index.html ]] || { echo "build_site: $out/index.html is missing: is there an nbs/index.ipynb?" >&2; exit 1; }

# 3. the site at a fixed place
rm -rf _site
mv "$out" _site
n=$(find _site -name '*.html' | wc -l)
echo "== built $n page(s) in $((SECONDS - t0)) s"
echo "site: $root/_site"
