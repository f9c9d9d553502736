"""The one table of activations the taps know: names (Keras spelling, as the engine and advisor use
them), which ones can die, which saturate at −α, and which have a known output range. It restates
src/model/activation-families.ts for the names the taps report; a node test
(test/unit/vocabulary/live-activation-table.unit.test.ts) keeps the two equal."""
from __future__ import annotations

from typing import Dict, Optional, Tuple

#: Every activation name the taps report (torch_probe.py, keras_callback.py after `normalise`):
#: (units can die — exact zeros for negative inputs; saturates at −α — ELU family).
FAMILIES: Dict[str, Tuple[bool, bool]] = {
    "relu": (True, False),
    "relu6": (True, False),
    "thresholded_relu": (True, False),
    "leaky_relu": (False, False),
    "rrelu": (False, False),
    "prelu": (False, False),
    "elu": (False, True),
    "celu": (False, True),
    "selu": (False, True),
    "gelu": (False, False),
    "silu": (False, False),
    "mish": (False, False),
    "hard_swish": (False, False),
    "softplus": (False, False),
    "softsign": (False, False),
    "tanh": (False, False),
    "hard_tanh": (False, False),
    "threshold": (False, False),
    "sigmoid": (False, False),
    "hard_sigmoid": (False, False),
    "softmax": (False, False),
}

#: ReLU and its clipped/thresholded forms: the ones whose units can die (output exactly 0).
CAN_DIE = frozenset(name for name, (dies, _) in FAMILIES.items() if dies)

#: The ELU family: units that cannot die but can sit at −α (saturation is reported instead).
SATURATES = frozenset(name for name, (_, saturates) in FAMILIES.items() if saturates)

#: Saturation is output within this fraction of −α (src/probe/statistics.ts SATURATION_TOLERANCE).
SATURATION_TOLERANCE = 0.01

SELU_ALPHA = 1.6732632423543772
SELU_SCALE = 1.0507009873554805

#: Output ranges the histogram starts from instead of the first probe's, closed at both ends
#: (docs/architecture.md "Histograms").
KNOWN_RANGES = {
    "softmax": (0.0, 1.0),
    "sigmoid": (0.0, 1.0),
    "hard_sigmoid": (0.0, 1.0),
    "tanh": (-1.0, 1.0),
    "softsign": (-1.0, 1.0),
    "relu6": (0.0, 6.0),
}


def saturation_alpha(activation: str, alpha: Optional[float]) -> Optional[float]:
    """The −α level a unit saturates at, for the ELU family only (the engine reports saturation for
    ELU and SELU; CELU has the same form). Leaky ReLU has no saturation level: None."""
    if activation not in SATURATES:
        return None
    if activation == "selu":
        return SELU_ALPHA * SELU_SCALE
    if activation in ("elu", "celu"):
        return 1.0 if alpha is None else float(alpha)
    return None


def normalise(name: str) -> str:
    """Keras / TF.js / PyTorch spellings → the lowercase Keras name (leakyRelu → leaky_relu)."""
    out = []
    for i, ch in enumerate(name):
        if ch.isupper() and i > 0 and name[i - 1].islower():
            out.append("_")
        out.append(ch.lower())
    n = "".join(out)
    return {"leakyrelu": "leaky_relu", "swish": "silu", "hardsigmoid": "hard_sigmoid", "hard_silu": "hard_swish"}.get(n, n)
