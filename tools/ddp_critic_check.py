"""Child script of the `#| slow` test in nbs/32_negatives.ipynb.

Run as `torchrun --nproc_per_node 2 tools/ddp_critic_check.py --out DIR` (gloo, CPU). On fixed data (K = 16 pairs per
batch, float64) it computes the critic objective and the gradient of every critic weight, and rank 0 writes
`DIR/ddp_check.json` with:
  single          - one process, the whole batch (`critic_objective`);
  ddp             - each process K/P rows, `gathered_objective` (exact gradient), DDP-averaged gradients;
  ddp_local_trick - the same with `sync_grads=False` (all-gather, local slice put back);
  single_queue    - one process, `queue_objective` on batch B after batch A filled the queue (M = 16, momentum 0.5);
  ddp_queue       - the same under DDP, each process K/P rows of A and of B; also the queue each rank holds afterwards.
"""
import argparse, copy, json
from pathlib import Path
import torch
import torch.distributed as dist
from torch import nn
from torch.nn.parallel import DistributedDataParallel as DDP
from fmn_nb.critics import NNCritic, mlp, critic_objective
from fmn_nb.negatives import gathered_objective, queue_objective, QueueCritic

class Objective(nn.Module):
    "DDP needs a module whose forward produces the loss."
    def __init__(self, critic, sync_grads): super().__init__(); self.critic, self.sync_grads = critic, sync_grads
    def forward(self, x, z, mu, logvar): return gathered_objective(self.critic, x, z, mu, logvar, sync_grads=self.sync_grads)

class QueueObjective(nn.Module):
    def __init__(self, qc): super().__init__(); self.qc = qc
    def forward(self, x, z, mu, logvar):
        c, self.N = queue_objective(self.qc, x, z, mu, logvar); return c

def flat_grad(m): return torch.cat([p.grad.reshape(-1) for p in m.parameters() if p.requires_grad])

def batch(g, K):
    x, z = torch.randn(K, 6, generator=g, dtype=torch.float64), torch.randn(K, 3, generator=g, dtype=torch.float64)
    return x, z, torch.randn(K, 3, generator=g, dtype=torch.float64), torch.zeros(K, 3, dtype=torch.float64)

def main():
    p = argparse.ArgumentParser(); p.add_argument("--out", required=True); p.add_argument("--K", type=int, default=16)
    a = p.parse_args()
    torch.set_num_threads(1)
    g = torch.Generator().manual_seed(0)                       # the same data and critic in every process
    A, B = batch(g, a.K), batch(g, a.K)
    torch.manual_seed(0); critic = NNCritic(mlp(6, 8, 16), z_dim=3, critic_dim=8, hidden=16).double()
    out = {"K": a.K}
    # single-process references, computed before the process group exists (so nothing is gathered)
    ref = copy.deepcopy(critic); c = critic_objective(ref, *A); c.backward()
    out["single"] = {"c": c.item(), "grad": flat_grad(ref).tolist()}
    # queue critic: batch A fills the queue (no gradient), batch B is scored against it
    qs = QueueCritic(copy.deepcopy(critic), 16, momentum=0.5).double()
    with torch.no_grad(): queue_objective(qs, *A)
    c, N = queue_objective(qs, *B); c.backward()
    out["single_queue"] = {"c": c.item(), "N": N, "grad": flat_grad(qs.critic).tolist(), "queue": qs.queued().tolist()}
    dist.init_process_group("gloo")
    rank, P = dist.get_rank(), dist.get_world_size()
    if a.K % P: raise ValueError(f"K = {a.K} must be divisible by the {P} processes")
    out["world_size"] = P
    n = a.K // P; sl = slice(rank * n, (rank + 1) * n)          # this process's rows
    local = lambda b: [t[sl] for t in b]
    # the gathered objective under DDP (plain critic), with exact and with local-slice gradients
    for name, sync in (("ddp", True), ("ddp_local_trick", False)):
        m = DDP(Objective(copy.deepcopy(critic), sync))
        c_local = m(*local(A)); c_local.backward()            # DDP averages the gradients over processes
        c_glob = c_local.detach().clone(); dist.all_reduce(c_glob); c_glob /= P
        out[name] = {"c": c_glob.item(), "grad": flat_grad(m.module).tolist()}
    # the queue critic under DDP: A fills the (gathered) queue, B is scored against the global batch and the queue
    qd = DDP(QueueObjective(QueueCritic(copy.deepcopy(critic), 16, momentum=0.5).double()))
    with torch.no_grad(): qd(*local(A))                        # under no_grad DDP expects no backward
    c_local = qd(*local(B)); c_local.backward()
    c_glob = c_local.detach().clone(); dist.all_reduce(c_glob); c_glob /= P
    queues = [torch.empty_like(qd.module.qc.queue) for _ in range(P)]; dist.all_gather(queues, qd.module.qc.queue.contiguous())
    out["ddp_queue"] = {"c": c_glob.item(), "N": qd.module.N, "grad": flat_grad(qd.module.qc.critic).tolist(), "queue": qd.module.qc.queued().tolist(),
                        "queues_agree": all(torch.equal(q, queues[0]) for q in queues)}
    for v in out.values():
        if isinstance(v, dict): v["grad_norm"] = float(torch.tensor(v["grad"]).norm())
    if rank == 0:
        Path(a.out).mkdir(parents=True, exist_ok=True); (Path(a.out)/"ddp_check.json").write_text(json.dumps(out))
    dist.destroy_process_group()

if __name__ == "__main__": main()
