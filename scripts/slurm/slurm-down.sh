#!/bin/bash
# Tears down what slurm-up.sh started: jobs, every slurmd, slurmctld, munged and their state.
set -u
squeue -h -o %i 2>/dev/null | xargs -r scancel 2>/dev/null
for f in /run/slurmd-*.pid /run/slurmctld.pid /run/munge/munged.pid; do
  [ -f "$f" ] && kill "$(cat "$f")" 2>/dev/null
done
# PID 1 may reap late: wait on the pid files' processes, not on kill -0 of zombies alone.
for _ in $(seq 1 100); do
  alive=0
  for f in /run/slurmd-*.pid /run/slurmctld.pid /run/munge/munged.pid; do
    [ -f "$f" ] || continue
    p=$(cat "$f")
    if [ -r "/proc/$p/stat" ] && ! awk '{exit ($3 == "Z") ? 0 : 1}' "/proc/$p/stat"; then alive=1; fi
  done
  [ $alive = 0 ] && break
  sleep 0.1
done
rm -f /run/slurmd-*.pid /run/slurmctld.pid
rm -rf /var/spool/slurmctld/* /var/spool/slurmd/*
echo "slurm: down"
