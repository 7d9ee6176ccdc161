#!/usr/bin/env bash
# The one prepared device check: every GPU measurement the package needs, in at most about 9 minutes on one GPU.
#   bash tools/gpu_check.sh            # on a machine with CUDA: the real check; elsewhere: the same steps at smoke size
# It writes everything under results/gpu/<device name>/ (each file names the device) and prints a short summary.
# Steps (each bounded by `timeout`, so that one slow step cannot eat the others' minutes):
#   1. the notebooks' cells flagged `gpu`                                       (CUDA only)
#   2. fmn_bench: critic overhead on the paper's Omniglot and text models, as ratios to the VAE's step
#   3. fmn_bench --iw-nll: the importance-weighted NLL against as many plain forward passes
#   4. fmn_bench --sweep: VAE-MINE and the separable critics over K
#   5. fmn_reproduce table2 --budget-min 5: the paper's Omniglot table within five minutes, resumable later
set -uo pipefail
cd "$(dirname "$0")/.." || exit 1
PY=${PY:-.venv/bin/python}; bin=$(dirname "$PY")
if "$PY" -c "import sys, torch; sys.exit(0 if torch.cuda.is_available() else 1)" 2>/dev/null; then
  dev=cuda; smoke=0
  name=$("$PY" -c "import torch; print(torch.cuda.get_device_name().replace(' ', '_'))")
else
  dev=cpu; smoke=1; name=cpu_smoke
  echo "gpu_check: no CUDA device here: running every step at smoke size on the CPU (the numbers mean nothing)"
fi
out=${OUT:-results/gpu/$name}; mkdir -p "$out"; t0=$SECONDS
status=(); bad=0
step() {   # step NAME SECONDS COMMAND...: run with a time limit, keep its output, record how it ended
  local nm=$1 lim=$2; shift 2
  echo "== $nm (at most ${lim} s)"
  timeout "$lim" "$@" > "$out/$nm.log" 2>&1; local rc=$?
  [ $rc -eq 0 ] || bad=1
  status+=("$nm: $([ $rc -eq 0 ] && echo ok || ([ $rc -eq 124 ] && echo "stopped at ${lim} s" || echo "failed (exit $rc)")), $((SECONDS - t0)) s so far")
  tail -n 3 "$out/$nm.log"
}
if [ $smoke -eq 0 ]; then
  step gpu_tests 150 "$PY" tools/run_tests.py --flags gpu
  step bench_omniglot 60 "$bin/fmn_bench" --model omniglot --size paper --K 50 --methods vae self hybrid nn mine --repeats 10 --device cuda --out "$out/bench_omniglot_paper_$name.json"
  step bench_text 60 "$bin/fmn_bench" --model text --size paper --K 32 --methods vae self hybrid nn --repeats 10 --profile 3 --device cuda --out "$out/bench_text_paper_$name.json"
  step iw_nll 60 "$bin/fmn_bench" --iw-nll --model omniglot --size paper --iw-n-test 500 --device cuda --out "$out/iw_nll_paper_$name.json"
  step sweep 45 "$bin/fmn_bench" --sweep --model omniglot --size paper --methods vae self hybrid nn mine --sweep-K 16 32 64 128 256 --device cuda --out "$out/sweep_$name.json"
  step reproduce 330 "$bin/fmn_reproduce" table2 --budget-min 5 --device cuda --out "$out/table2"
else
  step bench_omniglot 120 "$bin/fmn_bench" --model omniglot --size small --K 8 --methods vae self hybrid nn mine --repeats 2 --device cpu --out "$out/bench_omniglot_small_$name.json"
  step bench_text 120 "$bin/fmn_bench" --model text --size small --K 8 --methods vae self hybrid nn --repeats 2 --device cpu --out "$out/bench_text_small_$name.json"
  step iw_nll 120 "$bin/fmn_bench" --iw-nll --model omniglot --size small --iw-n-test 8 --iw-samples 4 --K 4 --device cpu --out "$out/iw_nll_small_$name.json"
  step sweep 120 "$bin/fmn_bench" --sweep --model omniglot --size small --methods vae self mine --sweep-K 4 8 --repeats 1 --device cpu --out "$out/sweep_$name.json"
  step reproduce 180 "$bin/fmn_reproduce" table2 --smoke --rows VAE self --device cpu --out "$out/table2_smoke"
fi
{ echo "gpu_check on $name (device $dev$([ $smoke -eq 1 ] && echo ', smoke size'); $(date -u '+%Y-%m-%d %H:%M UTC'))"
  printf '%s\n' "${status[@]}"; echo "in all $((SECONDS - t0)) s"; } | tee "$out/summary.txt"
exit $bad   # 1 when a step failed or ran out of its time
