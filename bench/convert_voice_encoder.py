"""Convert resemblyzer's voice encoder weights into media/voice_encoder.npz (run once, by a maintainer).

    .venv/bin/pip download --no-deps resemblyzer==0.1.4 -d /tmp/rz
    .venv/bin/python bench/convert_voice_encoder.py /tmp/rz/Resemblyzer-0.1.4-py3-none-any.whl

Source: Resemblyzer 0.1.4 (PyPI, https://github.com/resemble-ai/Resemblyzer), file
resemblyzer/pretrained.pt, sha256 39373b86598fa3da9fcddee6142382efe09777e8d37dc9c0561f41f0070f134e,
Apache License 2.0 (copied beside the output as media/voice_encoder.LICENSE, with a NOTICE).
The weights are a GE2E speaker encoder (3-layer LSTM 40 -> 256, a linear layer 256 -> 256).

The file is torch's legacy (pre-1.6, non-zip) pickle. torch is not installed and must not be (it
would add ~5.5 GB), so a small unpickler stands in for torch's classes: the pickle names storages by
persistent id and rebuilds tensors with torch._utils._rebuild_tensor_v2; after it come the storage
keys and each storage's raw bytes (an int64 element count, then the data).
"""

from __future__ import annotations

import hashlib
import io
import pickle
import struct
import sys
import zipfile
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "media" / "voice_encoder.npz"
SHA256 = "39373b86598fa3da9fcddee6142382efe09777e8d37dc9c0561f41f0070f134e"
DTYPES = {"FloatStorage": np.float32, "DoubleStorage": np.float64, "LongStorage": np.int64,
          "IntStorage": np.int32, "HalfStorage": np.float16, "ByteStorage": np.uint8}


class _Storage:
    def __init__(self, dtype, key: str, size: int) -> None:
        self.dtype, self.key, self.size, self.data = dtype, key, size, None


class _Tensor:
    def __init__(self, storage: _Storage, offset: int, size: tuple, stride: tuple) -> None:
        self.storage, self.offset, self.shape, self.stride = storage, offset, tuple(size), tuple(stride)

    def array(self) -> np.ndarray:
        item = self.storage.data.itemsize
        return np.lib.stride_tricks.as_strided(self.storage.data[self.offset:], self.shape,
                                               [s * item for s in self.stride]).copy()


class _StorageType:
    def __init__(self, name: str) -> None:
        self.name = name


class _Unpickler(pickle.Unpickler):
    def __init__(self, f, storages: dict) -> None:
        super().__init__(f)
        self.storages = storages

    def find_class(self, module: str, name: str):
        if module == "torch._utils" and name == "_rebuild_tensor_v2":
            return lambda storage, offset, size, stride, *rest: _Tensor(storage, offset, size, stride)
        if module == "torch" and name.endswith("Storage"):
            return _StorageType(name)
        if module == "collections" and name == "OrderedDict":
            import collections
            return collections.OrderedDict
        raise pickle.UnpicklingError(f"unexpected class {module}.{name} in the weights file")

    def persistent_load(self, pid):
        kind, storage_type, key, _location, size = pid[:5]
        assert kind == "storage", pid
        if key not in self.storages:
            self.storages[key] = _Storage(DTYPES[storage_type.name], key, size)
        return self.storages[key]


def load_legacy(data: bytes) -> dict[str, np.ndarray]:
    f = io.BytesIO(data)
    magic = pickle.load(f)
    assert magic == 0x1950A86A20F9469CFC6C, "not a legacy torch file"
    pickle.load(f)  # protocol version
    pickle.load(f)  # sys info
    storages: dict[str, _Storage] = {}
    checkpoint = _Unpickler(f, storages).load()
    keys = pickle.load(f)
    for key in keys:
        st = storages[key]
        (count,) = struct.unpack("<q", f.read(8))
        st.data = np.frombuffer(f.read(count * np.dtype(st.dtype).itemsize), dtype=st.dtype)
    return {name: t.array() for name, t in checkpoint["model_state"].items()}


def main(wheel: str) -> None:
    with zipfile.ZipFile(wheel) as z:
        data = z.read("resemblyzer/pretrained.pt")
        licence = z.read("Resemblyzer-0.1.4.dist-info/LICENSE")
    digest = hashlib.sha256(data).hexdigest()
    if digest != SHA256:
        sys.exit(f"pretrained.pt has sha256 {digest}, expected {SHA256}")
    state = load_legacy(data)
    for name, a in state.items():
        print(f"{name:28s} {a.shape} {a.dtype}")
    # The LSTM and the linear layer only: the GE2E loss's similarity scale and bias are for training.
    np.savez_compressed(OUT, **{k.replace(".", "_"): v.astype(np.float32) for k, v in state.items()
                                if k.startswith(("lstm.", "linear."))})
    OUT.with_suffix(".LICENSE").write_bytes(licence)
    print(f"{OUT.relative_to(ROOT)}: {OUT.stat().st_size / 2**20:.1f} MiB")


if __name__ == "__main__":
    main(sys.argv[1])
