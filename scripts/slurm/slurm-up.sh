#!/bin/bash
# Brings up a single-host Slurm cluster for the slurm test suite (munged + slurmctld + one slurmd
# per node) without systemd, as root. Adapted from the measured reference scripts in the shared
# context: every node declares its CPUs and memory explicitly (config_overrides lets a 2-core
# host pretend), so the pool matches the seed's machines whatever the host has.
# Knobs: SLURM_NODES (default 10), SLURM_NODE_CPUS (4), SLURM_NODE_MEMORY_MB (16384).
# Partitions: "gatehouse" (all nodes, default) and "three" (n1-n3, for pool-limit tests).
set -euo pipefail
NNODES=${SLURM_NODES:-10}
CPUS=${SLURM_NODE_CPUS:-4}
MEM=${SLURM_NODE_MEMORY_MB:-16384}
if ! command -v slurmctld >/dev/null || ! command -v slurmd >/dev/null || ! command -v munged >/dev/null || ! command -v sbatch >/dev/null; then
  export DEBIAN_FRONTEND=noninteractive
  apt-get install -y --no-install-recommends slurmctld slurmd slurm-client munge >/dev/null ||
    { apt-get update >/dev/null && apt-get install -y --no-install-recommends slurmctld slurmd slurm-client munge >/dev/null; }
fi

# munge: the package's postinst creates the key; recreate it only if missing.
if [ ! -s /etc/munge/munge.key ]; then
  dd if=/dev/urandom of=/etc/munge/munge.key bs=1 count=1024 status=none
fi
chown munge:munge /etc/munge /etc/munge/munge.key
chmod 0700 /etc/munge
chmod 0400 /etc/munge/munge.key
install -d -o munge -g munge -m 0755 /run/munge
install -d -o munge -g munge -m 0700 /var/log/munge /var/lib/munge
if ! { [ -f /run/munge/munged.pid ] && kill -0 "$(cat /run/munge/munged.pid)" 2>/dev/null; }; then
  runuser -u munge -- /usr/sbin/munged
fi
for _ in $(seq 1 50); do munge -n 2>/dev/null | unmunge >/dev/null 2>&1 && break; sleep 0.1; done
munge -n | unmunge >/dev/null

# Fresh state every time: stale state from another ClusterName is fatal to slurmctld.
rm -rf /var/spool/slurmctld /var/spool/slurmd
install -d -m 0755 /var/spool/slurmctld /var/spool/slurmd /var/log/slurm /etc/slurm
cat >/etc/slurm/slurm.conf <<CONF
ClusterName=gatehouse
SlurmctldHost=localhost
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
CredType=cred/munge
MpiDefault=none
MailProg=/bin/true
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/none
SchedulerType=sched/backfill
SelectType=select/cons_tres
SelectTypeParameters=CR_Core_Memory
DefMemPerCPU=256
ReturnToService=2
SlurmdParameters=config_overrides
KillWait=10
SlurmctldPidFile=/run/slurmctld.pid
SlurmdPidFile=/run/slurmd-%n.pid
SlurmdSpoolDir=/var/spool/slurmd/%n
StateSaveLocation=/var/spool/slurmctld
SlurmctldLogFile=/var/log/slurm/slurmctld.log
SlurmdLogFile=/var/log/slurm/slurmd-%n.log
SlurmctldPort=6817
SlurmdPort=6818
SlurmctldDebug=info
SlurmdDebug=info
NodeName=n[1-$NNODES] NodeHostname=localhost NodeAddr=127.0.0.1 Port=[17001-$((17000 + NNODES))] CPUs=$CPUS RealMemory=$MEM State=UNKNOWN
PartitionName=gatehouse Nodes=ALL Default=YES MaxTime=INFINITE State=UP
PartitionName=three Nodes=n[1-3] MaxTime=INFINITE State=UP
CONF

/usr/sbin/slurmctld -i
for i in $(seq 1 "$NNODES"); do /usr/sbin/slurmd -N "n$i"; done
ok=0
for _ in $(seq 1 300); do
  [ "$(sinfo -h -o '%T' 2>/dev/null | sort -u)" = "idle" ] && { ok=1; break; }
  sleep 0.1
done
[ $ok = 1 ] || { sinfo -N -o '%N %T %c %m %E' >&2; echo "slurm nodes never became idle; see /var/log/slurm/" >&2; exit 1; }
# Warm the controller: the first job after a fresh start can sit PENDING(None) for seconds.
srun -N1 -n1 --mem=16M true
echo "slurm: $NNODES nodes of $CPUS CPUs / $MEM MB up"
