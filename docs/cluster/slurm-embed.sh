#!/usr/bin/env bash
# Embeds a dataset with N Slurm array tasks, then merges and probes in a dependent job.
#
#   sbatch --array=0-15 docs/cluster/slurm-embed.sh          # 16 shards
#   # when all shards are done (or as a dependency, see the end of this file):
#   sbatch --dependency=afterok:<array job id> --export=ALL,STEP=merge docs/cluster/slurm-embed.sh
#
# Every shard writes only its own cache entries and manifest under $OUT (a shared file system), so the
# shards never contend; a shard that is preempted or fails resumes from its cache when resubmitted.
#SBATCH --job-name=traceprobe-embed
#SBATCH --cpus-per-task=8
#SBATCH --mem=16G
#SBATCH --time=04:00:00
#SBATCH --output=traceprobe-%A_%a.log
set -euo pipefail

# What to embed: edit these, or pass them with sbatch --export.
ENCODERS="${ENCODERS:-resnet18}"
TASKS="${TASKS:-jpeg}"
IMAGES="${IMAGES:?set IMAGES to the dataset folder on the shared file system}"
OUT="${OUT:?set OUT to a results folder on the shared file system}"
SEED="${SEED:-0}"
# The published program (dotnet publish src/Harness -c Release -o "$APP"), on the shared file system.
APP="${APP:?set APP to the folder holding traceprobe.dll}"
STEP="${STEP:-embed}"
# Further options for both steps, e.g. "--train-crops 60 --batch-size 16".
EXTRA_ARGS="${EXTRA_ARGS:-}"

if [ "$STEP" = "embed" ]; then
  : "${SLURM_ARRAY_TASK_ID:?submit with --array=0-(N-1)}"
  : "${SLURM_ARRAY_TASK_COUNT:?submit with --array=0-(N-1)}"
  dotnet "$APP/traceprobe.dll" embed \
    --encoders "$ENCODERS" --tasks "$TASKS" --images "$IMAGES" --out "$OUT" --seed "$SEED" \
    --threads "$SLURM_CPUS_PER_TASK" \
    --shard "${SLURM_ARRAY_TASK_ID}/${SLURM_ARRAY_TASK_COUNT}" $EXTRA_ARGS
else
  # Joins the shards (fails, naming them, if one is missing), then runs the probes on the cached embeddings:
  # `run` finds every chunk in the cache and computes nothing again.
  dotnet "$APP/traceprobe.dll" merge --in "$OUT"
  dotnet "$APP/traceprobe.dll" run \
    --encoders "$ENCODERS" --tasks "$TASKS" --images "$IMAGES" --out "$OUT" --seed "$SEED" $EXTRA_ARGS
fi

# One submission for both steps:
#   jid=$(sbatch --parsable --array=0-15 docs/cluster/slurm-embed.sh)
#   sbatch --dependency=afterok:$jid --export=ALL,STEP=merge docs/cluster/slurm-embed.sh
