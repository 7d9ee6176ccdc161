#!/usr/bin/env python
"""Cost of `fmn_nb.metrics.iw_nll` per importance sample, relative to one batched forward pass.

One batched forward pass = the work of one ELBO evaluation under `torch.no_grad()`: encode the batch,
draw one z per example, and evaluate `log_px_z` on it. The IW-NLL of the same batches with S samples
is timed, divided by S, and divided by the forward-pass time:

    ratio = (t_iw_nll / S) / t_forward        (goal: ratio <= 1.2)

Both are timed over the same batches, in eval mode under no_grad, after warm-up, interleaved (each
repeat times the forward pass, iw_nll and the decoder floor back to back, so that a change in machine
load hits all of them); `ratio` is the median over repeats, `(min)` the ratio of the fastest runs. The encoder runs once per batch in `iw_nll` and the decoder sees `chunk` x B rows per call,
so the ratio is about (decoder cost) / (encoder + decoder cost), below 1 for any model whose encoder
is not free. The column `dec/S ms` times the decoder alone on the same (chunk, B, D) latents (one encode
per batch, no sampling, no weights): the floor under `iw/S ms`, which shows how much of the cost is
iw_nll's own and how much is the model's decoder at that many rows per call.

    python bench/iw_nll_cost.py                       # MLP and conv VAE, iw_nll's default chunk, then 10, 100, 500
    python bench/iw_nll_cost.py --threads 1           # less noisy on a shared machine
    python bench/iw_nll_cost.py --threads 1 --out bench_iw.json
    python bench/iw_nll_cost.py --models mlp --chunks 50 --n-samples 500 --repeats 5
"""
import argparse, json, platform, statistics, sys, time
from pathlib import Path
import torch
from torch import nn

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run from a checkout without installing
from fmn_nb.core import sample_q
from fmn_nb.protocol import MLPVAE
from fmn_nb.metrics import iw_nll, iw_chunk, eval_no_grad


class ConvVAE(nn.Module):
    "A small conv VAE for binary 28x28 images (two stride-2 convs each way), following the model protocol."
    def __init__(self, z_dim:int=32, ch:int=16):
        super().__init__()
        self.enc = nn.Sequential(nn.Conv2d(1, ch, 4, 2, 1), nn.ReLU(), nn.Conv2d(ch, 2 * ch, 4, 2, 1), nn.ReLU(), nn.Flatten(),
                                 nn.Linear(2 * ch * 7 * 7, 2 * z_dim))
        self.dec_in = nn.Sequential(nn.Linear(z_dim, 2 * ch * 7 * 7), nn.ReLU())
        self.dec = nn.Sequential(nn.ConvTranspose2d(2 * ch, ch, 4, 2, 1), nn.ReLU(), nn.ConvTranspose2d(ch, 1, 4, 2, 1))
        self.ch = ch
    def encode(self, x): return self.enc(x).chunk(2, -1)
    def log_px_z(self, x, z):
        lead = z.shape[:-1]  # (B,) or (S, B)
        logits = self.dec(self.dec_in(z.reshape(-1, z.shape[-1])).view(-1, 2 * self.ch, 7, 7)).view(*lead, -1)
        x = x.flatten(1).expand_as(logits)
        return -nn.functional.binary_cross_entropy_with_logits(logits, x, reduction="none").sum(-1)


def make(name, args):
    "Model and its input batches (random binary data: the timing does not depend on the values)."
    g = torch.Generator().manual_seed(0)
    torch.manual_seed(0)
    if name == "mlp":
        model = MLPVAE(x_dim=784, z_dim=args.z_dim, hidden=args.hidden)
        xs = [(torch.rand(args.batch_size, 784, generator=g) < 0.3).float() for _ in range(args.n_batches)]
        desc = f"MLPVAE 784-{args.hidden}-{args.z_dim}"
    elif name == "conv":
        model = ConvVAE(z_dim=args.z_dim)
        xs = [(torch.rand(args.batch_size, 1, 28, 28, generator=g) < 0.3).float() for _ in range(args.n_batches)]
        desc = f"ConvVAE 28x28 z{args.z_dim}"
    else: raise ValueError(f"unknown model {name!r}: use mlp or conv")
    dev = torch.device(args.device)
    return model.to(dev), [x.to(dev) for x in xs], desc


def timer(device):
    "A function that runs `fn()` once and returns its wall time (synchronising CUDA around it)."
    sync = torch.cuda.synchronize if device.startswith("cuda") else (lambda: None)
    def once(fn):
        sync(); t0 = time.perf_counter(); fn(); sync()
        return time.perf_counter() - t0
    return once


def forward_pass(model, xs):
    "One ELBO's work per batch: encode, one z per example, log p(x|z)."
    with eval_no_grad(model):
        for x in xs:
            mu, logvar = model.encode(x)
            model.log_px_z(x, sample_q(mu, logvar))


def decoder_only(model, xs, S, chunk):
    "The floor under iw_nll: one encode per batch and the decoder on (chunk, B, D) latents, no sampling or weights."
    with eval_no_grad(model):
        for x in xs:
            mu, logvar = model.encode(x)
            z = mu.expand(chunk, *mu.shape).contiguous()
            for s0 in range(0, S, chunk): model.log_px_z(x, z[:min(chunk, S - s0)])


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--models", default="mlp,conv", help="comma-separated: mlp, conv")
    ap.add_argument("--chunks", default="auto,10,100,500", help="comma-separated chunk sizes for iw_nll; auto: its default (chunk=None)")
    ap.add_argument("--n-samples", type=int, default=500, help="S importance samples for the MLP (500 in the paper)")
    ap.add_argument("--conv-n-samples", type=int, default=100, help="S for the conv model (its decoder is ~5x dearer per sample)")
    ap.add_argument("--batch-size", type=int, default=50, help="B examples per batch")
    ap.add_argument("--n-batches", type=int, default=2, help="batches timed per run")
    ap.add_argument("--hidden", type=int, default=512, help="MLPVAE hidden width")
    ap.add_argument("--z-dim", type=int, default=32, help="latent size D")
    ap.add_argument("--threads", type=int, default=None, help="torch.set_num_threads (default: torch's choice)")
    ap.add_argument("--warmup", type=int, default=1, help="untimed runs before timing")
    ap.add_argument("--repeats", type=int, default=5, help="timed runs; the median is reported")
    ap.add_argument("--device", default="cpu", help="cpu or cuda")
    ap.add_argument("--goal", type=float, default=1.2, help="target ratio")
    ap.add_argument("--out", default=None, help="write the results as JSON to this file")
    a = ap.parse_args(argv)
    if a.threads is not None: torch.set_num_threads(a.threads)
    rows = []
    print(f"torch {torch.__version__}, device {a.device}, threads {torch.get_num_threads()}, "
          f"B={a.batch_size}, {a.n_batches} batches, median of {a.repeats} (warm-up {a.warmup})")
    hdr = f"{'model':<24}{'S':>5}{'chunk':>6}{'fwd ms/batch':>14}{'iw ms/batch':>13}{'iw/S ms':>10}{'dec/S ms':>10}{'ratio':>8}{'(min)':>8}  goal"
    print(hdr); print("-" * len(hdr))
    once, med = timer(a.device), statistics.median
    for name in a.models.split(","):
        model, xs, desc = make(name.strip(), a)
        S, nb = (a.conv_n_samples if name.strip() == "conv" else a.n_samples), len(xs)
        # a chunk above S is one chunk of S; auto (None) is iw_nll's default, `iw_chunk` of the batch size
        chunks = list(dict.fromkeys(None if c.strip() == "auto" else min(int(c), S) for c in a.chunks.split(",")))
        for chunk in chunks:
            g = torch.Generator(device=a.device).manual_seed(0)
            used = chunk or iw_chunk(a.batch_size, S, a.device)
            fwd = lambda: forward_pass(model, xs)
            iw = lambda: iw_nll(model, xs, n_samples=S, chunk=chunk, generator=g)
            dec = lambda: decoder_only(model, xs, S, used)
            for _ in range(a.warmup): fwd(); iw(); dec()
            # interleaved: each repeat times the three back to back, so a change in machine load hits all of them
            t_fwd, t_iw, t_dec = [], [], []
            for _ in range(a.repeats):
                t_fwd.append(med([once(fwd) for _ in range(5)]))  # the forward pass is cheap: median of 5 per repeat
                t_iw.append(once(iw)); t_dec.append(once(dec))
            ratios = [(ti / S) / tf for ti, tf in zip(t_iw, t_fwd)]
            ratio, ratio_min = med(ratios), (min(t_iw) / S) / min(t_fwd)
            f, i, d = med(t_fwd), med(t_iw), med(t_dec)
            rows.append(dict(model=desc, chunk=chunk, chunk_used=used, n_samples=S, batch_size=a.batch_size, n_batches=nb,
                             t_forward_per_batch_s=f / nb, t_iw_per_batch_s=i / nb, t_iw_per_sample_per_batch_s=i / nb / S,
                             t_decoder_only_per_sample_per_batch_s=d / nb / S, iw_over_decoder_only=i / d,
                             ratio=ratio, ratio_of_minima=ratio_min, ratios=ratios, forward_runs_s=t_fwd, iw_runs_s=t_iw))
            label = str(chunk) if chunk else f"a:{used}"
            print(f"{desc:<24}{S:>5}{label:>6}{1e3 * f / nb:>14.3f}{1e3 * i / nb:>13.1f}{1e3 * i / nb / S:>10.3f}"
                  f"{1e3 * d / nb / S:>10.3f}{ratio:>8.2f}{ratio_min:>8.2f}  {'ok' if ratio <= a.goal else 'ABOVE'}")
    if a.out:
        info = dict(torch=torch.__version__, python=platform.python_version(), machine=platform.machine(),
                    device=a.device, threads=torch.get_num_threads(), argv=sys.argv[1:], goal=a.goal)
        Path(a.out).write_text(json.dumps(dict(info=info, rows=rows), indent=1))
        print(f"wrote {a.out}")
    return rows


if __name__ == "__main__": main()
