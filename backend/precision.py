"""The arithmetic a loaded model predicts in: float32 (as saved) or bfloat16 (`--precision bf16`).

Why bfloat16 this way:
- Keras `mixed_bfloat16` computes convolutions in bfloat16 with float32 weights; on CPUs with
  avx512_bf16/amx_bf16 (oneDNN) and on GPUs that is markedly faster than float32.
- The model is rebuilt from its config with a dtype policy per layer, and its weights are copied:
  the layers carry their own policy, so the global Keras policy is only touched while rebuilding
  and is restored at once (another job in the same process keeps float32).
- Normalisation (Normalization/Rescaling layers, or whatever first reads the raw bands: values
  such as 10000 keep only ~3 significant digits in bfloat16) and the output (the last
  convolution and its sigmoid/softmax) stay in float32, so probabilities are float32.
- Keras computes a batch normalisation in float32 even under a bfloat16 policy, so each one
  costs two casts over the whole feature map; on a small U-Net that ate all of bfloat16's gain.
  At prediction time a batch normalisation that follows a convolution is plain algebra on that
  convolution's kernel and bias, so it is folded into it (exact up to rounding).
A model that cannot be rebuilt this way is predicted in float32, with a log line saying so.
"""
from __future__ import annotations

import contextlib
import copy
from typing import Any, Callable, Iterator, Optional

import numpy as np

BF16_POLICY = "mixed_bfloat16"
#: layers that rescale raw band values: kept in float32 (see the module docstring)
INPUT_SCALING = {"Normalization", "Rescaling"}
#: layers that only apply an activation: the output layer's producer stays in float32 with them
ACTIVATIONS = {"Activation", "Softmax", "ReLU", "LeakyReLU", "ELU", "PReLU"}
MODEL_CLASSES = {"Functional", "Sequential", "Model"}

Log = Callable[[str], None]


@contextlib.contextmanager
def global_policy(name: str) -> Iterator[None]:
    """The global Keras dtype policy set to `name` for the block, restored whatever happens."""
    import keras

    old = keras.mixed_precision.global_policy().name
    keras.mixed_precision.set_global_policy(name)
    try:
        yield
    finally:
        keras.mixed_precision.set_global_policy(old)


def for_prediction(model, precision: str, log: Optional[Log] = None):
    """`model` ready to predict in `precision` ('float32' or 'bf16'); float32 when bf16 is
    impossible for this model (said in the log)."""
    log = log or (lambda message: None)
    if precision == "float32":
        return model
    if precision != "bf16":
        raise ValueError(f"unknown precision {precision!r}")
    _warn_if_slow(log)
    try:
        rebuilt, folded, kept = rebuild(model)
    except Exception as error:  # noqa: BLE001 - any model Keras cannot rebuild this way predicts in float32
        reason = str(error).strip().splitlines()[0][:200] if str(error).strip() else type(error).__name__
        log(f"This model cannot be rebuilt for bfloat16 ({reason}); predicting in float32.")
        return model
    log(f"Predicting in bfloat16 (Keras {BF16_POLICY}): {', '.join(kept)} in float32"
        + (f", {folded} batch normalisation{'s' if folded != 1 else ''} folded into {'their' if folded != 1 else 'its'} "
           f"convolution{'s' if folded != 1 else ''}" if folded else "") + ".")
    return rebuilt


def _warn_if_slow(log: Log) -> None:
    from . import probe

    try:
        import tensorflow as tf

        gpus = [d.name for d in tf.config.list_physical_devices("GPU")]
    except Exception:  # noqa: BLE001 - only decides a warning
        gpus = []
    fast, reason = probe.bf16_support(probe.read_cpuinfo(), gpus)
    if fast is False:
        log(f"--precision bf16 will likely be slower than float32 here: {reason}, so TensorFlow emulates bfloat16.")


# --------------------------------------------------------------------------- the config graph

def _references(node: Any) -> Iterator[list]:
    """Every keras_history [layer name, node index, tensor index] inside an inbound node."""
    if isinstance(node, dict):
        history = (node.get("config") or {}).get("keras_history") if node.get("class_name") == "__keras_tensor__" else None
        if history is not None:
            yield history
        for value in node.values():
            yield from _references(value)
    elif isinstance(node, (list, tuple)):  # get_config() gives call arguments as tuples
        for value in node:
            yield from _references(value)


def _name(layer: dict) -> str:
    """A layer's name in a model config (a sequential config keeps it only inside "config")."""
    return layer.get("name") or layer["config"]["name"]


def _producers(layer: dict) -> list[str]:
    return [ref[0] for ref in _references(layer.get("inbound_nodes", []))]


def _fold_batch_norms(config: dict) -> list[tuple[str, str]]:
    """Remove from a functional config every BatchNormalization fed only by a Conv2D that feeds
    nothing else; its consumers read the convolution instead. Returns (conv, batch norm) pairs."""
    layers = {_name(layer): layer for layer in config["layers"]}
    consumers: dict[str, int] = {}
    for layer in config["layers"]:
        for name in _producers(layer):
            consumers[name] = consumers.get(name, 0) + 1
    outputs = {entry[0] for entry in _output_entries(config)}
    for name in outputs:
        consumers[name] = consumers.get(name, 0) + 1
    pairs = []
    for bn in config["layers"]:
        cfg = bn["config"]
        if bn["class_name"] != "BatchNormalization" or len(bn.get("inbound_nodes", [])) != 1 or _name(bn) in outputs:
            continue
        if cfg.get("axis") not in (-1, 3, [-1], [3]):
            continue
        sources = _producers(bn)
        if len(sources) != 1 or sources[0] not in layers:
            continue
        conv = layers[sources[0]]
        ccfg = conv["config"]
        if (conv["class_name"] != "Conv2D" or len(conv.get("inbound_nodes", [])) != 1 or consumers.get(_name(conv)) != 1
                or ccfg.get("activation", "linear") != "linear" or ccfg.get("data_format") == "channels_first"):
            continue
        pairs.append((_name(conv), _name(bn)))
    for conv_name, bn_name in pairs:
        layers[conv_name]["config"]["use_bias"] = True
        layers[conv_name].pop("build_config", None)  # the bias changes the weights it builds
        for layer in config["layers"]:
            for ref in _references(layer.get("inbound_nodes", [])):
                if ref[0] == bn_name:
                    ref[0] = conv_name
    folded = {bn for _, bn in pairs}
    config["layers"] = [layer for layer in config["layers"] if _name(layer) not in folded]
    return pairs


def _output_entries(config: dict) -> list[list]:
    """output_layers as a list of [name, node, tensor] (Keras writes a single one unwrapped)."""
    entries = config.get("output_layers", [])
    if entries and isinstance(entries[0], str):
        return [entries]
    return entries


def _float32_layers(config: dict, sequential: bool) -> set[str]:
    """Names of the layers kept in float32: input scaling, whatever reads the model's inputs,
    and the output layers (with the layer feeding an activation-only output layer)."""
    layers = config["layers"]
    keep = {_name(layer) for layer in layers if layer["class_name"] in INPUT_SCALING or layer["class_name"] == "InputLayer"}
    if sequential:
        body = [layer for layer in layers if layer["class_name"] != "InputLayer"]
        if body:
            keep.add(_name(body[0]))
            keep.add(_name(body[-1]))
            if body[-1]["class_name"] in ACTIVATIONS and len(body) > 1:
                keep.add(_name(body[-2]))
        return keep
    by_name = {_name(layer): layer for layer in layers}
    inputs = {_name(layer) for layer in layers if layer["class_name"] == "InputLayer"}
    keep.update(_name(layer) for layer in layers if set(_producers(layer)) & inputs)
    for name, *_ in _output_entries(config):
        keep.add(name)
        layer = by_name.get(name)
        if layer is not None and layer["class_name"] in ACTIVATIONS:
            keep.update(_producers(layer))
    return keep


def rebuild(model, policy: str = BF16_POLICY):
    """(model rebuilt with `policy` and batch norms folded, number folded, names kept in float32).

    `policy` "float32" gives the same model with only the folding (the benchmark's reference)."""

    config = copy.deepcopy(model.get_config())
    if not isinstance(config, dict) or not isinstance(config.get("layers"), list):
        raise ValueError(f"{type(model).__name__} is not a functional or sequential Keras model")
    if any(layer.get("class_name") in MODEL_CLASSES for layer in config["layers"]):
        raise ValueError("it contains a model inside the model")
    sequential = "output_layers" not in config
    pairs = [] if sequential else _fold_batch_norms(config)
    keep = _float32_layers(config, sequential)
    for layer in config["layers"]:
        if layer["class_name"] != "InputLayer":
            layer["config"]["dtype"] = "float32" if _name(layer) in keep else policy
    with global_policy(policy):
        rebuilt = type(model).from_config(config)
    _copy_weights(model, rebuilt, dict(pairs))
    if rebuilt.outputs[0].dtype != "float32":
        raise ValueError(f"its output would be {rebuilt.outputs[0].dtype}")
    kept = [layer.name for layer in rebuilt.layers if layer.name in keep and type(layer).__name__ != "InputLayer"]
    return rebuilt, len(pairs), kept


def _copy_weights(source, target, folded: dict[str, str]) -> None:
    """Each layer's weights by name; a convolution that absorbed a batch norm gets
    kernel·s and (bias − mean)·s + β, s = γ / √(variance + ε)."""
    for layer in target.layers:
        original = source.get_layer(layer.name)
        if layer.name not in folded:
            layer.set_weights(original.get_weights())
            continue
        bn = source.get_layer(folded[layer.name])
        weights = original.get_weights()
        kernel = weights[0].astype(np.float64)
        bias = weights[1].astype(np.float64) if len(weights) > 1 else np.zeros(kernel.shape[-1])
        gamma = np.asarray(bn.gamma.numpy(), np.float64) if bn.scale else 1.0
        beta = np.asarray(bn.beta.numpy(), np.float64) if bn.center else 0.0
        mean = np.asarray(bn.moving_mean.numpy(), np.float64)
        variance = np.asarray(bn.moving_variance.numpy(), np.float64)
        scale = gamma / np.sqrt(variance + bn.epsilon)
        layer.set_weights([(kernel * scale).astype(np.float32), ((bias - mean) * scale + beta).astype(np.float32)])
