#!/usr/bin/env python
"""Time one training step of each full-size model of fmn_nb.models.

A step is forward + backward + optimizer step of the negative ELBO (one z sample per example, analytic KL),
as in training:
  text      LSTMVAE, LSTMVAEConfig.paper(V): batch 32 of length T (Yahoo: T ~ 80, V = 20,000), SGD lr 1.0,
            gradient-norm clip 5 (He et al.)
  omniglot  PixelCNNVAE, PixelCNNVAEConfig.paper(): batch 50 of 28x28 binary images, Adam lr 1e-3, clip 5 (Kim et al.)
The batches are synthetic (random ids / random binary images): the step time does not depend on the values.
Reports the median (and min, max) over --repeats timed steps after --warmup untimed ones.

    python bench/model_step_time.py --device cpu --threads 2 --out step_time_cpu.json
    python bench/model_step_time.py --device cuda --repeats 20
"""
import argparse, json, platform, statistics, sys, time
import torch
from fmn_nb.models import LSTMVAE, LSTMVAEConfig, PixelCNNVAE, PixelCNNVAEConfig, count_params
from fmn_nb.elbo import elbo


def text_case(a, dev, g):
    model = LSTMVAE(LSTMVAEConfig.paper(a.vocab, skip=a.skip)).to(dev)
    x = torch.randint(4, a.vocab, (a.text_batch, a.seq_len), generator=g)
    x[:, 0], x[:, -1] = 1, 2                               # `<s> w1 .. wn </s>`
    return model, x.to(dev), torch.optim.SGD(model.parameters(), lr=1.0)


def image_case(a, dev, g):
    model = PixelCNNVAE(PixelCNNVAEConfig.paper(skip=a.skip)).to(dev)
    x = (torch.rand(a.image_batch, 1, 28, 28, generator=g) < 0.2).float()
    return model, x.to(dev), torch.optim.Adam(model.parameters(), lr=1e-3)


def sync(dev):
    if dev.type == "cuda": torch.cuda.synchronize(dev)


def time_steps(model, x, opt, dev, warmup, repeats):
    "Seconds per training step of the negative ELBO, `repeats` timed steps after `warmup` untimed ones."
    model.train(); times = []
    for i in range(warmup + repeats):
        sync(dev); t0 = time.perf_counter()
        loss = -elbo(model, x).elbo.mean()
        opt.zero_grad(set_to_none=True); loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 5.0)
        opt.step(); sync(dev)
        if i >= warmup: times.append(time.perf_counter() - t0)
    return times, loss.item()


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--device", default="cpu", help="torch device, e.g. cpu, cuda, cuda:1 (default: cpu)")
    ap.add_argument("--threads", type=int, default=None, help="torch.set_num_threads for CPU runs (default: torch's)")
    ap.add_argument("--models", nargs="+", default=["text", "omniglot"], choices=["text", "omniglot"], help="which models")
    ap.add_argument("--warmup", type=int, default=1, help="untimed steps first (default 1)")
    ap.add_argument("--repeats", type=int, default=3, help="timed steps (default 3)")
    ap.add_argument("--text-batch", type=int, default=32, help="text batch size (default 32)")
    ap.add_argument("--seq-len", type=int, default=80, help="text length T, <s> and </s> included (default 80)")
    ap.add_argument("--vocab", type=int, default=20_000, help="vocabulary size V (default 20,000: Yahoo)")
    ap.add_argument("--image-batch", type=int, default=50, help="Omniglot batch size (default 50)")
    ap.add_argument("--skip", action="store_true", help="time the Skip-VAE variants instead")
    ap.add_argument("--seed", type=int, default=0, help="seed of the synthetic batches and the init")
    ap.add_argument("--out", default=None, help="also write the JSON results to this file")
    a = ap.parse_args(argv)
    if a.threads: torch.set_num_threads(a.threads)
    dev = torch.device(a.device)
    torch.manual_seed(a.seed); g = torch.Generator().manual_seed(a.seed)
    res = dict(torch=torch.__version__, python=platform.python_version(), device=str(dev),
               device_name=torch.cuda.get_device_name(dev) if dev.type == "cuda" else platform.processor() or platform.machine(),
               threads=torch.get_num_threads(), warmup=a.warmup, repeats=a.repeats, skip=a.skip, models={})
    for name in a.models:
        model, x, opt = (text_case if name == "text" else image_case)(a, dev, g)
        times, loss = time_steps(model, x, opt, dev, a.warmup, a.repeats)
        res["models"][name] = dict(
            batch=list(x.shape), params=count_params(model), optimizer=type(opt).__name__,
            median_s=statistics.median(times), min_s=min(times), max_s=max(times), times_s=times, last_loss=loss)
        print(f"{name:9s} batch {tuple(x.shape)}  median {statistics.median(times):.3f} s/step  "
              f"(min {min(times):.3f}, max {max(times):.3f}, {len(times)} steps)", file=sys.stderr)
        del model, x, opt
    js = json.dumps(res, indent=2)
    print(js)
    if a.out:
        with open(a.out, "w") as f: f.write(js + "\n")
    return res


if __name__ == "__main__":
    main()
