"""`claro train` on several machines: TF_CONFIG or --workers/--worker-index → MultiWorkerMirroredStrategy.

How it works, and why:
- The cluster is TensorFlow's standard TF_CONFIG ({"cluster": {"worker": [...]}, "task": {"type":
  "worker", "index": i}}), or `--workers host:port,… --worker-index i`, which builds that TF_CONFIG
  for the process. Worker 0 (or TF_CONFIG's "chief") is the chief. One worker is one machine.
- The strategy is created before any other TensorFlow op (a MultiWorkerMirroredStrategy requirement:
  collective ops are configured when the runtime starts), by `across_workers`, which wraps the
  training job; the job itself runs unchanged on every worker, so every worker issues the same
  collective operations in the same order (Keras's validation, the metric reads, the test pass).
- The global batch is --batch-size, shared by all replicas of all workers (each computes
  batch-size / replicas patches per step), and the batch normalisations are synchronised (their
  statistics are the global batch's): the same steps per epoch, learning rate and batch
  statistics as on one machine, so the settings that suit one machine suit several.
- Before the strategy, the workers meet (`rendezvous`): TensorFlow would wait for a missing
  worker without end; this waits WAIT_SECONDS and names the addresses that do not answer.
- Training data: each worker reads its own training shards, file by file (shard i to worker
  i mod N, the partition of tf.data's AutoShardPolicy.FILE), inside
  `distribute_datasets_from_function`. tf.data's automatic sharding cannot do it on the training
  pipeline: the augmentation zips a Dataset.random seed stream in, an unshardable source
  ("Did not find a shardable source"). So a dataset needs at least as many training shards as
  workers.
- Validation and test: every worker reads the whole split and keeps its share of each batch
  (AutoShardPolicy.DATA, train.evaluation_batches): each patch is evaluated exactly once, and
  the confusion matrices, summed over all replicas of all workers, are a one-worker evaluation's.
- Only the chief writes at the final paths (the model, card, history, plots, TensorBoard and the
  resume checkpoint). The others run the same job with their outputs in a temporary folder of
  their own (Keras and the job's collective steps need every worker to do the same work), which
  is deleted when they end. Their log lines say "worker i of N".
- Resume: every worker restarts with --resume and the same settings. The model's folder is
  shared by all workers (same path everywhere, e.g. a network drive): the non-chief workers copy
  the chief's checkpoint before the cluster forms, so all continue from the same epoch and weights.
"""
from __future__ import annotations

import contextlib
import dataclasses
import functools
import json
import os
import re
import shutil
import socket
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Optional

from . import interrupts
from .errors import ClaroError
from .progress import Progress

#: Seconds a worker waits for all the others to start before giving up (they are started by
#: hand or by a scheduler, one machine after the other).
WAIT_SECONDS = 600
STRATEGY = "MultiWorkerMirroredStrategy"


@dataclass(frozen=True)
class Team:
    """The cluster as this worker sees it: every worker's address (position = worker number, the
    chief first) and this worker's number. `tf_config` is the TF_CONFIG to set (None: already set)."""

    addresses: tuple[str, ...]
    index: int
    tf_config: Optional[str] = None

    @property
    def count(self) -> int:
        return len(self.addresses)

    @property
    def chief(self) -> bool:
        return self.index == 0

    @property
    def name(self) -> str:
        return f"worker {self.index} of {self.count}"


def _address(text: str, where: str) -> str:
    text = str(text).strip()
    match = re.fullmatch(r"(\[[0-9A-Fa-f:.]+\]|[^\s:/]+):(\d{1,5})", text)
    if not match or not 0 < int(match.group(2)) < 65536:
        raise ClaroError(f"'{text}' in {where} is not host:port; give every worker as host:port, e.g. 10.0.0.5:23456.")
    return text


def team_of(params: Any, environ: Optional[dict] = None) -> Optional[Team]:
    """The cluster from --workers/--worker-index or TF_CONFIG; None on one machine (neither, or a
    cluster of one worker). A sentence for anything inconsistent, before any work."""
    environ = os.environ if environ is None else environ
    raw = (environ.get("TF_CONFIG") or "").strip()
    workers, index = params.workers, params.worker_index
    if workers and raw:
        raise ClaroError("Both TF_CONFIG and --workers describe the cluster; give one of them (unset TF_CONFIG, or drop "
                         "--workers and --worker-index).")
    if index is not None and not workers:
        raise ClaroError("--worker-index needs --workers, the list of every worker's host:port (the same on each).")
    if workers:
        if index is None:
            raise ClaroError("--workers needs --worker-index: this machine's position in the list, from 0 (0 on the "
                             "chief, which writes the model).")
        addresses = tuple(_address(a, "--workers") for a in workers)
        if index >= len(addresses):
            raise ClaroError(f"--worker-index {index} is outside --workers, which lists {len(addresses)} workers "
                             f"(indexes 0 to {len(addresses) - 1}).")
        config = json.dumps({"cluster": {"worker": list(addresses)}, "task": {"type": "worker", "index": index}})
        return _checked(Team(addresses, index, config))
    if not raw:
        return None
    try:
        config = json.loads(raw)
        cluster, task = config["cluster"], config["task"]
        kind, position = str(task["type"]), int(task["index"])
        chief, others = list(cluster.get("chief") or []), list(cluster.get("worker") or [])
    except (ValueError, KeyError, TypeError, AttributeError):
        raise ClaroError("TF_CONFIG is not a cluster description: give JSON like {\"cluster\": {\"worker\": "
                         "[\"host1:port\", \"host2:port\"]}, \"task\": {\"type\": \"worker\", \"index\": 0}}.") from None
    extra = sorted(set(cluster) - {"chief", "worker"})
    if extra or kind not in ("chief", "worker") or len(chief) > 1:
        raise ClaroError(f"TF_CONFIG describes a cluster Claro cannot train on (jobs {', '.join(sorted(cluster))}, "
                         f"this task a {kind}); give workers only (and at most one chief).")
    addresses = tuple(_address(a, "TF_CONFIG") for a in chief + others)
    number = position if kind == "chief" else len(chief) + position
    if position < 0 or number >= len(addresses) or (kind == "chief" and position != 0):
        raise ClaroError(f"TF_CONFIG's task index {position} is outside its cluster's {len(addresses)} workers.")
    return _checked(Team(addresses, number))


def _checked(team: Team) -> Optional[Team]:
    if len(set(team.addresses)) != team.count:
        raise ClaroError(f"The worker list {', '.join(team.addresses)} names a worker twice; give each worker's "
                         "host:port once.")
    return team if team.count > 1 else None


def check_shards(folder: str, team: Team) -> None:
    """Each worker reads whole training shards of its own: at least one shard per worker."""
    from . import records

    if not Path(folder).is_dir():
        return  # the job says what is wrong with the folder itself
    shards = len(records.split_files(folder, "train"))
    if shards < team.count:
        raise ClaroError(f"The dataset in {folder} has {shards} training shard{'s' if shards != 1 else ''} for "
                         f"{team.count} workers; each worker reads shards of its own, so train on at most {shards} "
                         f"workers or make the dataset again with 'claro patches' (it writes at least "
                         f"{records.MIN_SHARDS} shards per split when the split has that many patches).")


# ---------------------------------------------------------------------------- the strategy

def _answers(address: str, timeout: float = 1.0) -> bool:
    host, port = address.rsplit(":", 1)
    try:
        with socket.create_connection((host.strip("[]"), int(port)), timeout=timeout):
            return True
    except OSError:
        return False


def rendezvous(team: Team, wait: float) -> None:
    """Wait until every other worker's port answers, while answering on ours; else one sentence.

    Why not TensorFlow's own wait: it blocks inside the strategy's creation, without end and
    holding the interpreter, so neither a timeout, a watchdog thread nor Ctrl-C gets through.
    Each worker listens on its own port (with a plain socket, until TensorFlow's server takes
    the port over) and connects to the others' until all answer."""
    mine = team.addresses[team.index]
    listener = socket.socket(socket.AF_INET6 if mine.startswith("[") else socket.AF_INET)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        listener.bind(("", int(mine.rsplit(":", 1)[1])))
        listener.listen(16)
    except OSError as error:
        listener.close()
        raise ClaroError(f"Worker {team.index} of {team.count} cannot listen at {mine} ({error.strerror or error}); "
                         "choose a free port on this machine.") from None
    stop = threading.Event()

    def answer() -> None:
        listener.settimeout(0.2)
        while not stop.is_set():
            with contextlib.suppress(OSError):
                connection, _ = listener.accept()
                connection.close()

    thread = threading.Thread(target=answer, daemon=True, name="claro-rendezvous")
    thread.start()
    try:
        waiting = [a for i, a in enumerate(team.addresses) if i != team.index]
        deadline = time.monotonic() + wait
        while waiting and time.monotonic() < deadline:
            waiting = [a for a in waiting if not _answers(a)]
            if waiting:
                time.sleep(0.5)
    finally:
        stop.set()
        thread.join()
        listener.close()
    if waiting:
        raise ClaroError(f"Worker {team.index} of {team.count} could not reach the other workers within {wait:g} s: "
                         f"nothing answers at {', '.join(waiting)}; start every worker with the same worker list and "
                         "its own index, and check that the firewall lets these ports through between the machines.")


def strategy(team: Team, progress: Progress):
    """(MultiWorkerMirroredStrategy, description for the log and card, mixed precision on?), once
    every worker answers (`rendezvous`). Must run before any other TensorFlow op."""
    others = [a for i, a in enumerate(team.addresses) if i != team.index]
    who = f"Worker 0 of {team.count} (chief) at" if team.chief else "At"  # the others' lines say who they are
    progress.log(f"{who} {team.addresses[team.index]}: waiting for {', '.join(others)} (up to {WAIT_SECONDS} s).")
    rendezvous(team, WAIT_SECONDS)
    import tensorflow as tf

    if team.tf_config is not None:
        os.environ["TF_CONFIG"] = team.tf_config
    gpus = tf.config.list_physical_devices("GPU")
    for gpu in gpus:
        with contextlib.suppress(RuntimeError, ValueError):
            tf.config.experimental.set_memory_growth(gpu, True)
    made = tf.distribute.MultiWorkerMirroredStrategy()
    if gpus:
        kind = f"GPU: {len(gpus)} × {gpus[0].name} per worker, mixed precision"
    else:
        kind = f"CPU only ({os.cpu_count()} cores per worker)"
    description = f"{kind}, {STRATEGY} over {team.count} workers ({made.num_replicas_in_sync} replicas)"
    return made, description, bool(gpus)


def check_batch_size(batch_size: int, replicas: int) -> None:
    if batch_size % replicas:
        raise ClaroError(f"--batch-size {batch_size} cannot be shared evenly by the {replicas} replicas of the workers: "
                         f"it is the global batch; use a multiple of {replicas}.")


def distribution(strategy: Any, team: Optional["Joined"]) -> dict:
    """What the card records about how a model was trained: strategy, workers, replicas."""
    name = STRATEGY if team else type(strategy).__name__.lstrip("_")
    return {"strategy": "none" if name == "DefaultDistributionStrategy" else name,
            "workers": team.team.count if team else 1, "replicas": int(strategy.num_replicas_in_sync)}


# ---------------------------------------------------------------------------- the job on every worker

@dataclass
class Joined:
    """A worker in a formed cluster: what the training job needs from it."""

    team: Team
    strategy: Any
    description: str
    mixed: bool

    @property
    def device(self) -> tuple[Any, str, bool]:
        """(strategy, description, mixed precision on?), as train.choose_device returns them."""
        return self.strategy, self.description, self.mixed

    def training_data(self, batches: Callable[..., Any], batch_size: int):
        """The training batches, each worker reading its own shards: `batches(per_replica_batch,
        shard=(worker, workers))` builds one worker's tf.data pipeline."""
        check_batch_size(batch_size, self.strategy.num_replicas_in_sync)

        def per_worker(context):
            return batches(context.get_per_replica_batch_size(batch_size),
                           shard=(context.input_pipeline_id, context.num_input_pipelines))

        return self.strategy.distribute_datasets_from_function(per_worker)


    def prepare(self, model: Any) -> None:
        """Work around two places where Keras 3.15's fit and evaluate fail on several workers.

        - Keras builds the loss, metrics and optimizer (`_maybe_symbolic_build`) from the first
          batch averaged over the replicas with strategy.reduce, which a MultiWorkerMirroredStrategy
          cannot do for an (x, y) pair ("Attempt to convert a value (PerReplica…) to a Tensor"); the
          build only needs the batch's shapes, so this worker's own first batch serves.
        - After each step Keras averages the replicas' logs with strategy.reduce(…, axis=0), which
          fails on scalars ("Invalid reduction dimension 0 for input with 0 dimensions"); the steps
          return each log as a one-element vector, whose average over axis 0 is the scalar.
        What an epoch reports is unchanged: Keras reads the epoch's logs from the metrics
        themselves, summed over all replicas of all workers.

        And the batch normalisations compute their statistics over the whole global batch
        (`synchronized`, an all-reduce per layer and step): otherwise each worker's moving
        averages drift apart on its own shards, the chief saves its own, and the others validate
        with theirs (measured: 63 of 49,152 validation pixels classified otherwise than by the
        saved model). The shared model file is built apart and holds plain batch normalisations."""
        import keras
        import tensorflow as tf

        strategy = self.strategy
        for layer in model.layers:
            if isinstance(layer, keras.layers.BatchNormalization):
                layer.synchronized = True

        def vectors(step):
            def wrapped(data):
                return tf.nest.map_structure(lambda v: tf.reshape(v, [1]) if v.shape.rank == 0 else v, step(data))
            return wrapped

        model.train_step = vectors(model.train_step)
        model.test_step = vectors(model.test_step)

        def build(iterator=None, data_batch=None):
            if iterator is not None:
                for _, _, batches in iterator:
                    first = next(batches)
                    data_batch = tf.nest.map_structure(lambda v: strategy.experimental_local_results(v)[0], first)
                    break
            with strategy.scope():
                model._symbolic_build(data_batch=data_batch)

        model._maybe_symbolic_build = build


class WorkerProgress(Progress):
    """A non-chief worker's progress: its lines say "worker i of N", and paths in its temporary
    folder read as the chief's final paths (what the worker trained is what the chief wrote)."""

    def __init__(self, inner: Progress, team: Team, temporary: Path, final: Path) -> None:
        super().__init__(inner.mode, inner.stream)
        self.prefix = f"{team.name}: "
        self.temporary, self.final = str(temporary), str(final)

    def _text(self, value: Any) -> Any:
        if isinstance(value, str):
            return value.replace(self.temporary, self.final)
        if isinstance(value, dict):
            return {k: self._text(v) for k, v in value.items()}
        if isinstance(value, (list, tuple)):
            return [self._text(v) for v in value]
        return value

    def _emit(self, event: str, **fields: Any) -> None:
        super()._emit(event, **self._text(fields))

    def update(self, fraction: float, message: str = "") -> None:
        super().update(fraction, self.prefix + message)

    def log(self, message: str) -> None:
        super().log(self.prefix + self._text(message))


def _lost_contact(team: Team, error: Exception) -> ClaroError:
    """A worker that stopped answering during training (TensorFlow's health check aborts the
    collectives): one sentence naming it, and how to continue."""
    tasks = sorted({int(t) for t in re.findall(r"/job:\w+/replica:\d+/task:(\d+)", str(error))})
    named = [team.addresses[t] for t in tasks if t < team.count and t != team.index]
    who = f"the worker at {', '.join(named)}" if named else "another worker"
    return ClaroError(f"Worker {team.index} of {team.count} lost contact with {who}; check that it still runs and that the "
                      "firewall lets its port through, then restart every worker with --resume to continue from the "
                      "last finished epoch.")


def across_workers(check: Callable[[Any], Path], kept: Callable[[Path], list[Path]]):
    """Decorate the training job `run(params, progress, *, team=None, …)` to run on several machines.

    On one machine it is called as it is. In a cluster: the sentences about the cluster, the
    dataset's shards and (`check`) the outputs come before the cluster forms; then the strategy,
    created before any other TensorFlow op; then the job, with `team` (a Joined). A non-chief
    worker runs it with its outputs in a temporary folder, holding a copy of the chief's `kept`
    files (model and resume checkpoint) when resuming, deleted at the end."""
    def decorate(run: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(run)
        def wrapper(params: Any, progress: Progress, *args: Any, **kwargs: Any) -> Any:
            team = team_of(params)
            if team is None:
                return run(params, progress, *args, **kwargs)
            kwargs.pop("devices", None)  # the cluster decides: every local GPU, else the CPU
            check_shards(params.data, team)
            if team.chief:
                check(params)
                return _run(team, run, params, progress, args, kwargs)
            final = Path(params.out)
            missing = [p for p in kept(final) if params.resume and not p.exists()]
            if missing:
                raise ClaroError(f"Worker {team.index} of {team.count} cannot see the chief's checkpoint {missing[0]}: "
                                 "to resume, the model's folder must be shared by all workers under the same path.")
            temporary = Path(tempfile.mkdtemp(prefix=f"claro-worker{team.index}-"))
            try:
                here = dataclasses.replace(params, out=str(temporary / final.name), tensorboard=None)
                if params.resume:  # before the cluster forms: the chief cannot have moved on yet
                    for path in kept(final):
                        copy = shutil.copytree if path.is_dir() else shutil.copy2
                        copy(path, temporary / path.name)
                check(here)
                worker_progress = WorkerProgress(progress, team, temporary, final.parent)
                try:
                    return _run(team, run, here, worker_progress, args, kwargs)
                except ClaroError as error:
                    raise ClaroError(worker_progress._text(f"{team.name}: {error}")) from None
                except KeyboardInterrupt:
                    raise interrupts.Interrupted(
                        f"Interrupted: {team.name} keeps nothing; what the training kept is beside {final}, written by "
                        "the chief (worker 0); restart every worker with --resume to continue.") from None
            finally:
                shutil.rmtree(temporary, ignore_errors=True)
        return wrapper
    return decorate


def _run(team: Team, run: Callable[..., Any], params: Any, progress: Progress, args: tuple, kwargs: dict) -> Any:
    made, description, mixed = strategy(team, progress)
    import tensorflow as tf

    try:
        return run(params, progress, *args, team=Joined(team, made, description, mixed), **kwargs)
    except (tf.errors.UnavailableError, tf.errors.AbortedError, tf.errors.CancelledError,
            tf.errors.DeadlineExceededError) as error:
        raise _lost_contact(team, error) from None
