"""Child script of the `#| slow` test in nbs/32_negatives.ipynb.

Run as `torchrun --nproc_per_node 2 tools/ddp_critic_check.py --out DIR` (gloo, CPU). On a fixed batch of K = 16
pairs it computes the critic objective and the gradient of every critic weight three ways and rank 0 writes
`DIR/ddp_check.json`:
  single          - one process, the whole batch (`critic_objective`);
  ddp             - each process 8 rows, `gathered_objective` (exact gradient), DDP-averaged gradients;
  ddp_local_trick - the same with `sync_grads=False` (all-gather, local slice put back).
"""
import argparse, copy, json, os
from pathlib import Path
import torch
import torch.distributed as dist
from torch import nn
from torch.nn.parallel import DistributedDataParallel as DDP
from fmn_nb.critics import NNCritic, mlp, critic_objective
from fmn_nb.negatives import gathered_objective

class Objective(nn.Module):
    "DDP needs a module whose forward produces the loss."
    def __init__(self, critic, sync_grads): super().__init__(); self.critic, self.sync_grads = critic, sync_grads
    def forward(self, x, z, mu, logvar): return gathered_objective(self.critic, x, z, mu, logvar, sync_grads=self.sync_grads)

def flat_grad(m): return torch.cat([p.grad.reshape(-1) for p in m.parameters()])

def main():
    p = argparse.ArgumentParser(); p.add_argument("--out", required=True); p.add_argument("--K", type=int, default=16)
    a = p.parse_args()
    torch.set_num_threads(1)
    dist.init_process_group("gloo")
    rank, P = dist.get_rank(), dist.get_world_size()
    if a.K % P: raise ValueError(f"K = {a.K} must be divisible by the {P} processes")
    g = torch.Generator().manual_seed(0)                       # the same data and critic in every process
    x, z = torch.randn(a.K, 6, generator=g, dtype=torch.float64), torch.randn(a.K, 3, generator=g, dtype=torch.float64)
    mu, logvar = torch.randn(a.K, 3, generator=g, dtype=torch.float64), torch.zeros(a.K, 3, dtype=torch.float64)
    torch.manual_seed(0); critic = NNCritic(mlp(6, 8, 16), z_dim=3, emb_dim=8, hidden=16).double()
    out = {"world_size": P, "K": a.K}
    ref = copy.deepcopy(critic); c = critic_objective(ref, x, z, mu, logvar); c.backward()
    out["single"] = {"c": c.item(), "grad": flat_grad(ref).tolist()}
    n = a.K // P; sl = slice(rank * n, (rank + 1) * n)          # this process's rows
    for name, sync in (("ddp", True), ("ddp_local_trick", False)):
        m = DDP(Objective(copy.deepcopy(critic), sync))
        c_local = m(x[sl], z[sl], mu[sl], logvar[sl]); c_local.backward()   # DDP averages the gradients over processes
        c_glob = c_local.detach().clone(); dist.all_reduce(c_glob); c_glob /= P
        out[name] = {"c": c_glob.item(), "grad": flat_grad(m.module).tolist()}
    for v in out.values():
        if isinstance(v, dict): v["grad_norm"] = float(torch.tensor(v["grad"]).norm())
    if rank == 0:
        Path(a.out).mkdir(parents=True, exist_ok=True); (Path(a.out)/"ddp_check.json").write_text(json.dumps(out))
    dist.destroy_process_group()

if __name__ == "__main__": main()
