#!/usr/bin/env python
"""Run the notebooks' tests (as `nbdev_test` does) and print one line per notebook and a last line `N passed, M failed`.

    python tools/run_tests.py                      # every notebook, skipping cells flagged `slow` or `gpu`
    python tools/run_tests.py --flags "slow gpu"   # also run the flagged cells (GPU cells need a GPU)
    python tools/run_tests.py --path nbs/03_elbo.ipynb
"""
import argparse, os, sys, time
from pathlib import Path
from fastcore.parallel import parallel
from nbdev.config import get_config
from nbdev.doclinks import nbglob
from nbdev.test import test_nb

def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--path", default=None, help="a notebook or folder (default: the nbs folder)")
    ap.add_argument("--flags", default="", help="space-separated test flags to run that are normally skipped")
    ap.add_argument("--n_workers", type=int, default=min(os.cpu_count() or 1, 2), help="notebooks run in parallel")
    a = ap.parse_args()
    cfg = get_config()
    skip, force = cfg.tst_flags.split(), a.flags.split()
    files = sorted(f.absolute() for f in nbglob(a.path, as_path=True) if not f.name.startswith("_"))
    if not files: sys.exit("run_tests: no notebooks found to test")
    # one notebook per worker: give each worker its share of the cores, so that PyTorch's thread pools do not
    # oversubscribe the machine (2 workers x 2 threads on 2 cores runs many times slower than 2 x 1)
    threads = str(max(1, (os.cpu_count() or 1) // max(1, a.n_workers)))
    for v in ("OMP_NUM_THREADS", "MKL_NUM_THREADS"): os.environ.setdefault(v, threads)
    t0 = time.time()
    os.chdir(cfg.nbs_path)
    res = parallel(test_nb, files, skip_flags=skip, force_flags=force, n_workers=a.n_workers,
                   basepath=cfg.config_path, pause=0.01)
    for f, (ok, dt) in zip(files, res): print(f"{'PASS' if ok else 'FAIL'}  {dt:6.1f}s  {f.name}")
    n_ok = sum(ok for ok, _ in res)
    print(f"notebooks tested in {time.time() - t0:.0f}s")
    print(f"{n_ok} passed, {len(res) - n_ok} failed")
    sys.exit(0 if n_ok == len(res) else 1)

if __name__ == "__main__": main()
