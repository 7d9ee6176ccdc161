"""Made by `OMP_NUM_THREADS=1 python results/explorers/train_explorers.py [curves] [text] [omniglot]` from the repository root.
Short real runs for nbs/43_explorers.ipynb: lambda x critic curves on WordNet, a text model for homotopies,
an Omniglot PixelCNN VAE with a critic. Writes results/explorers/*.json and small fp16 state dicts."""
import json, os, sys, time, platform
from dataclasses import asdict
import torch
torch.set_num_threads(1)
from fmn_nb.train import preset, train_run, save_best
ROOT = "results/explorers"; RUNS = "runs/explorers"  # run from the repository root
what = sys.argv[1:] or ["curves", "text", "omniglot"]
meta = lambda: {"device": "cpu", "threads": torch.get_num_threads(), "torch": torch.__version__,
                "machine": platform.machine(), "date": time.strftime("%Y-%m-%d %H:%M:%S")}
def half_sd(learn, out):
    p = save_best(learn, out); sd = torch.load(p, weights_only=True)
    return {k: (v.half() if v.is_floating_point() else v) for k, v in sd.items()}

# the text runs were made with a fixed lambda and no free bits: pinned, whatever the preset's critic now brings along
FIXED = dict(critic_target=0.0, critic_with="", free_bits=0.0)

if "curves" in what:
    runs = []
    grid = [(0.0, "none")] + [(lam, c) for lam in (1.0, 3.0, 10.0) for c in ("self", "hybrid")]
    for lam, critic in grid:
        kw = dict(method="vae") if lam == 0 else dict(method="critic", critic=critic, lam=lam)
        cfg = preset("wordnet_cpu", max_epochs=6, **kw, **FIXED)
        t0 = time.time()
        learn = train_run(cfg, f"{RUNS}/wordnet-lam{lam:g}-{critic}", overwrite=True, progress=False)
        dt = time.time() - t0
        print(f"lam {lam} critic {critic}: {dt:.0f} s; MI per epoch {[round(r['valid_mi'], 2) for r in learn.history]}", flush=True)
        runs.append({"lam": lam, "critic": critic, "seconds": dt, "config": asdict(cfg), "history": learn.history})
        json.dump({"what": "validation curves of wordnet_cpu (6 epochs) for lambda x critic; lambda 0 is the plain VAE",
                   "command": "OMP_NUM_THREADS=1 python results/explorers/train_explorers.py curves", **meta(), "runs": runs},
                  open(f"{ROOT}/wordnet_curves.json", "w"), indent=1)

if "text" in what:
    cfg = preset("wordnet_cpu", method="critic", critic="self", lam=10.0, n_train=8000, max_epochs=6, **FIXED)
    t0 = time.time()
    learn = train_run(cfg, f"{RUNS}/wordnet-text", overwrite=True, progress=False)
    dt = time.time() - t0
    torch.save(half_sd(learn, f"{RUNS}/wordnet-text"), f"{ROOT}/wordnet_text_vae.pt")
    json.dump({"what": "LSTM VAE + self critic for the homotopy explorer; state dict saved in float16", **meta(),
               "seconds": dt, "config": asdict(cfg), "history": learn.history}, open(f"{ROOT}/wordnet_text_vae.json", "w"), indent=1)
    print(f"text model: {dt:.0f} s; last {learn.history[-1]}", flush=True)

if "omniglot" in what:
    cfg = preset("omniglot_cpu", method="critic", critic="self", lam=10.0, max_epochs=6)
    t0 = time.time()
    learn = train_run(cfg, f"{RUNS}/omniglot", overwrite=True, progress=False)
    dt = time.time() - t0
    torch.save(half_sd(learn, f"{RUNS}/omniglot"), f"{ROOT}/omniglot_vae.pt")
    json.dump({"what": "PixelCNN VAE + self critic for the Omniglot explorer; state dict saved in float16", **meta(),
               "seconds": dt, "config": asdict(cfg), "history": learn.history}, open(f"{ROOT}/omniglot_vae.json", "w"), indent=1)
    print(f"omniglot model: {dt:.0f} s; last {learn.history[-1]}", flush=True)
