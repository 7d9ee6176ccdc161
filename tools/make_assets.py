#!/usr/bin/env python
"""Build the offline defaults shipped in `fmn_nb/assets/` from the project's `../shared/data`.

    python tools/make_assets.py                 # shared data found next to the repository root
    python tools/make_assets.py --shared PATH   # or given explicitly

Deterministic and re-runnable: fixed seeds, fixed archive timestamps, so a second run writes the same bytes
(it prints the SHA-256 of every file). Every file is written under a temporary name and renamed at the end.

What it writes (never anything from Yahoo: its redistribution terms are unclear):
- `omniglot28.npz`: all 1,623 x 20 Omniglot originals, inverted (ink = 1), area-averaged from 105x105 to 28x28
  with `fmn_nb.data.omniglot_originals_28`, grey levels quantised to 16 values (`levels` uint8 0..15, value =
  level / 15); `OMNIGLOT_LICENSE` (MIT) beside it.
- `wordnet.{train,valid,test}.txt.gz`: WordNet 3.0 glosses and usage examples, tokenised with
  `fmn_nb.data.tokenize` (lowercase, punctuation and clitics split), 4 to 40 tokens, duplicates removed,
  shuffled with seed 0; the last 10,000 are test, the 10,000 before them valid; `WORDNET_NOTICE` beside them.
- `README.md`: this provenance, with sizes and checksums.
"""
import argparse, gzip, io, sys, zipfile
from pathlib import Path
import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from fmn_nb.data import ASSETS, OMNIGLOT_FILES, omniglot_originals_28, tokenize, file_sha256, _atomic_write, _read_lines

N_LEVELS = 16            # grey levels kept for Omniglot
MIN_LEN, MAX_LEN = 4, 40 # WordNet documents kept, in tokens
N_VALID = N_TEST = 10_000
SEED = 0

def npz_bytes(arrays:dict) -> bytes:
    "A deflate-compressed .npz with fixed timestamps, so that the bytes depend only on the arrays."
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for k, a in arrays.items():
            b = io.BytesIO(); np.lib.format.write_array(b, np.asarray(a), allow_pickle=False)  # (ascontiguousarray would make 0-d arrays 1-d)
            info = zipfile.ZipInfo(f"{k}.npy", date_time=(1980, 1, 1, 0, 0, 0)); info.compress_type = zipfile.ZIP_DEFLATED
            z.writestr(info, b.getvalue(), compresslevel=9)
    return buf.getvalue()

def build_omniglot(shared:Path) -> dict:
    grey = omniglot_originals_28([shared/"omniglot"/f for f in OMNIGLOT_FILES])  # (1623, 20, 28, 28) in [0, 1]
    levels = np.rint(grey * (N_LEVELS - 1)).astype(np.uint8)
    _atomic_write(ASSETS/"omniglot28.npz", npz_bytes({"levels": levels, "n_levels": np.array(N_LEVELS)}))
    _atomic_write(ASSETS/"OMNIGLOT_LICENSE", (shared/"omniglot/LICENSE").read_bytes())
    return {"characters": levels.shape[0], "drawers": levels.shape[1], "max quantisation error": float(np.abs(levels / (N_LEVELS - 1) - grey).max())}

def build_wordnet(shared:Path) -> dict:
    seen, docs = set(), []
    for f in ("definitions.txt", "examples.txt"):
        for line in _read_lines(shared/"wordnet"/f):
            toks = tokenize(line)
            s = " ".join(toks)
            if MIN_LEN <= len(toks) <= MAX_LEN and s not in seen: seen.add(s); docs.append(s)
    docs = [docs[i] for i in np.random.default_rng(SEED).permutation(len(docs))]
    n = len(docs)
    splits = {"train": docs[:n - N_VALID - N_TEST], "valid": docs[n - N_VALID - N_TEST:n - N_TEST], "test": docs[n - N_TEST:]}
    for s, d in splits.items():
        _atomic_write(ASSETS/f"wordnet.{s}.txt.gz", gzip.compress(("\n".join(d) + "\n").encode("utf-8"), compresslevel=9, mtime=0))
    _atomic_write(ASSETS/"WORDNET_NOTICE", (shared/"wordnet/debian_copyright").read_bytes())
    return {s: len(d) for s, d in splits.items()}

def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--shared", type=Path, default=ROOT.parent/"shared"/"data", help="the shared data folder")
    a = ap.parse_args()
    if not a.shared.is_dir(): sys.exit(f"make_assets: {a.shared} not found (give --shared PATH)")
    om, wn = build_omniglot(a.shared), build_wordnet(a.shared)
    files = sorted(p for p in ASSETS.iterdir() if p.is_file() and p.name != "README.md")
    table = "\n".join(f"| `{p.name}` | {p.stat().st_size / 1e6:.2f} MB | `{file_sha256(p)}` |" for p in files)
    readme = f"""# Offline data shipped with fmn_nb

Made by `tools/make_assets.py` from the project's shared data; read by `fmn_nb.data.load_omniglot()` and
`fmn_nb.data.wordnet_corpus()`.

- `omniglot28.npz`: Omniglot (Lake et al. 2015; MIT licence in `OMNIGLOT_LICENSE`), all {om['characters']} characters x
  {om['drawers']} drawers, the 105x105 originals inverted and area-averaged to 28x28, grey levels quantised to
  {N_LEVELS} values (`levels` / {N_LEVELS - 1}; largest error {om['max quantisation error']:.4f}). The split is made at load time.
- `wordnet.{{train,valid,test}}.txt.gz`: WordNet 3.0 glosses and usage examples (Princeton University; notice in
  `WORDNET_NOTICE`), tokenised, {MIN_LEN}-{MAX_LEN} tokens, deduplicated, shuffled with seed {SEED}:
  {wn['train']:,} / {wn['valid']:,} / {wn['test']:,} documents.

| file | size | SHA-256 |
|---|---|---|
{table}
"""
    _atomic_write(ASSETS/"README.md", readme.encode("utf-8"))
    print(f"omniglot: {om}\nwordnet: {wn}")
    for p in sorted(ASSETS.iterdir()): print(f"{p.name:24s} {p.stat().st_size / 1e6:6.2f} MB  {file_sha256(p)}")
    print(f"{'total':24s} {sum(p.stat().st_size for p in ASSETS.iterdir()) / 1e6:6.2f} MB")

if __name__ == "__main__": main()
