#!/usr/bin/env python
"""Execute notebooks in place, as the tests run them, and save their outputs (the site shows only saved outputs).

Cells flagged with a test flag (`#| slow`, `#| gpu`) are skipped unless named in --flags; a skipped cell keeps the
outputs it had (so a slow cell run once on purpose keeps its output). `#| eval: false` cells never run. The first
error stops the notebook and nothing is written. Afterwards run `nbdev_clean`.

    python tools/site/execute_nbs.py nbs/06_metrics.ipynb nbs/30_experiments.ipynb
    python tools/site/execute_nbs.py --flags slow nbs/41_tutorial_collapse.ipynb
"""
import argparse, copy, os, sys, time
from pathlib import Path
from execnb.nbio import read_nb, write_nb
from execnb.shell import CaptureShell
from nbdev.config import get_config
from nbdev.process import extract_directives


def run(fn: Path, skip: set) -> float:
    nb = read_nb(fn)
    def no_eval(cell):
        if cell.cell_type != "code": return True
        d = extract_directives(copy.deepcopy(cell), remove=False)
        if d.get("eval:", [""])[0].lower() == "false": return True
        return bool(skip & d.keys())
    t0 = time.time()
    sh = CaptureShell(fn)
    cwd = os.getcwd()
    try:
        os.chdir(fn.parent)
        sh.run_all(nb, exc_stop=True, preproc=no_eval)
    except Exception:
        sys.stderr.write(sh.prettytb(fname=fn) + "\n")
        raise SystemExit(f"execute_nbs: {fn.name} failed; nothing written")
    finally:
        os.chdir(cwd)
    for c in nb.cells:   # execnb leaves its own bookkeeping on the cells
        for k in ("idx_", "directives_"): c.pop(k, None)
    write_nb(nb, fn)
    return time.time() - t0


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("notebooks", nargs="+", type=Path)
    ap.add_argument("--flags", default="", help="test flags whose cells are run too (default: none)")
    a = ap.parse_args()
    cfg = get_config()
    sys.path.insert(0, str(cfg.config_path))
    skip = set(cfg.tst_flags.split()) - set(a.flags.split())
    for fn in a.notebooks:
        print(f"{fn.name}: {run(fn.absolute(), skip):.0f} s", flush=True)


if __name__ == "__main__": main()
