"""claro.backend.cluster: the cluster read from --workers/--worker-index or TF_CONFIG (pure Python).

The training itself on two worker processes is tests/backend/test_multiworker.py."""
from __future__ import annotations

import json

import pytest

from claro.backend import cluster
from claro.backend.errors import ClaroError
from claro.backend.params import TrainParams


def team(workers=None, index=None, tf_config=None):
    environ = {} if tf_config is None else {"TF_CONFIG": json.dumps(tf_config) if isinstance(tf_config, dict) else tf_config}
    return cluster.team_of(TrainParams(data="d", out="m.keras", workers=workers, worker_index=index), environ)


def test_flags_build_the_standard_tf_config():
    made = team(["10.0.0.5:23456", "10.0.0.6:23456"], 1)
    assert made.count == 2 and made.index == 1 and not made.chief and made.name == "worker 1 of 2"
    assert json.loads(made.tf_config) == {"cluster": {"worker": ["10.0.0.5:23456", "10.0.0.6:23456"]},
                                          "task": {"type": "worker", "index": 1}}


def test_tf_config_is_read_as_it_is_with_an_optional_chief():
    made = team(tf_config={"cluster": {"worker": ["a:1", "b:2", "c:3"]}, "task": {"type": "worker", "index": 2}})
    assert made.addresses == ("a:1", "b:2", "c:3") and made.index == 2 and made.tf_config is None
    with_chief = {"cluster": {"chief": ["c:1"], "worker": ["w:2", "w:3"]}, "task": {"type": "worker", "index": 0}}
    made = team(tf_config=with_chief)
    assert made.addresses == ("c:1", "w:2", "w:3") and made.index == 1 and not made.chief
    made = team(tf_config={**with_chief, "task": {"type": "chief", "index": 0}})
    assert made.index == 0 and made.chief


def test_one_machine_without_a_cluster_or_with_a_cluster_of_one():
    assert team() is None
    assert team(["127.0.0.1:5000"], 0) is None
    assert team(tf_config={"cluster": {"worker": ["a:1"]}, "task": {"type": "worker", "index": 0}}) is None


@pytest.mark.parametrize("workers, index, tf_config, message", [
    (["a:1", "b:2"], None, None, "--workers needs --worker-index"),
    (None, 1, None, "--worker-index needs --workers"),
    (["a:1", "b:2"], 0, {"cluster": {"worker": ["a:1"]}, "task": {"type": "worker", "index": 0}},
     "Both TF_CONFIG and --workers describe the cluster"),
    (["a:1", "b:2"], 2, None, "--worker-index 2 is outside --workers, which lists 2 workers (indexes 0 to 1)"),
    (["a:1", "b"], 0, None, "'b' in --workers is not host:port"),
    (["a:1", "a:1"], 0, None, "names a worker twice"),
    (None, None, "{not json", "TF_CONFIG is not a cluster description"),
    (None, None, {"cluster": {"worker": ["a:1"], "ps": ["p:1"]}, "task": {"type": "worker", "index": 0}},
     "cannot train on"),
    (None, None, {"cluster": {"worker": ["a:1", "b:2"]}, "task": {"type": "worker", "index": 5}}, "outside its cluster"),
])
def test_an_inconsistent_cluster_is_one_sentence(workers, index, tf_config, message):
    with pytest.raises(ClaroError, match=message.replace("(", r"\(").replace(")", r"\)")):
        team(workers, index, tf_config)


def test_fewer_training_shards_than_workers(tmp_path):
    (tmp_path / "train-00000.tfrecord.gz").write_bytes(b"")
    (tmp_path / "train-00001.tfrecord.gz").write_bytes(b"")
    cluster.check_shards(str(tmp_path), team(["a:1", "b:2"], 0))  # two shards, two workers: fine
    with pytest.raises(ClaroError) as error:
        cluster.check_shards(str(tmp_path), team(["a:1", "b:2", "c:3"], 0))
    assert str(error.value) == (f"The dataset in {tmp_path} has 2 training shards for 3 workers; each worker reads shards "
                                "of its own, so train on at most 2 workers or make the dataset again with 'claro patches' "
                                "(it writes at least 4 shards per split when the split has that many patches).")


def test_the_global_batch_must_be_shared_evenly():
    cluster.check_batch_size(8, 2)
    with pytest.raises(ClaroError, match="--batch-size 9 cannot be shared evenly by the 2 replicas"):
        cluster.check_batch_size(9, 2)
