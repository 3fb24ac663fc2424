"""Read and write TraceProbe's embeddings files (docs/embeddings-format.md) with numpy and the standard library.

    import embeddings_format as ef
    data = ef.read("embeddings/resnet18/jpeg.safetensors")
    data["embeddings"]                                  # np.memmap [N, D] float32: opening a 24 GB file is instant
    data["processing_names"][data["processing"]]        # the processing id of every row
    ef.write("mine.safetensors", x, processing=[...], split=[...], photos=[...], semantic=[...])

`read` takes both layouts: `traceprobe.embeddings/2` (per-item metadata as integer tensors with vocabularies in the
header) and the earlier one (no `format` key; per-item JSON arrays in the header, only the `embeddings` tensor), and
returns the same dict for both. `Writer` writes layout 2 with the rows appended block by block, so that a file larger
than memory is written in bounded memory; `write` is the one-call form. Nothing here needs `safetensors`: a file is an
8-byte little-endian header length, a JSON header, then the tensors' bytes.
"""
import json
import os
import struct

import numpy as np

FORMAT = "traceprobe.embeddings/2"
# Python's safetensors refuses a larger header; the writer refuses to write one (the format doc's contract).
HEADER_LIMIT = 100_000_000
# The earlier layout kept every row's metadata in the header; its files can be far larger than the limit above.
V1_HEADER_LIMIT = 1 << 30

# The tensors in the order the format stores them (each is optional except embeddings, processing and split).
# The 8-byte I64 tensors come first and the byte tensors last, so that every tensor starts aligned to its dtype.
ORDER = ["photo_name_offsets", "key_offsets", "embeddings", "processing", "photo", "crop", "semantic", "label",
         "split", "done", "photo_names", "key_bytes"]
DTYPE = {"photo_name_offsets": "I64", "key_offsets": "I64", "embeddings": "F32", "processing": "I32", "photo": "I32",
         "crop": "I32", "semantic": "I32", "label": "I32", "split": "U8", "done": "U8", "photo_names": "U8",
         "key_bytes": "U8"}
NUMPY = {"I64": "<i8", "F32": "<f4", "I32": "<i4", "U8": "u1"}
# Coded columns and the header key naming each code.
VOCABULARY = {"processing": "processing_names", "split": "split_names", "semantic": "semantic_names",
              "label": "label_names"}
# Earlier layout: the per-row JSON arrays in `__metadata__`.
V1_ROW_KEYS = ["keys", "processing", "photos", "crops", "split", "done", "semantic", "dim"]


class Coded:
    """A column given as codes into names (rather than one string per row): what a large writer passes."""

    def __init__(self, codes, names):
        self.codes = np.asarray(codes)
        self.names = [str(n) for n in names]


class Strings:
    """Strings stored as UTF-8 bytes with I64 offsets, decoded one at a time on access (keys of millions of rows)."""

    def __init__(self, offsets, data):
        self._offsets = offsets
        self._data = data

    def __len__(self):
        return len(self._offsets) - 1

    def __getitem__(self, i):
        if not -len(self) <= i < len(self):
            raise IndexError(i)
        i %= len(self)
        return bytes(self._data[self._offsets[i]:self._offsets[i + 1]]).decode("utf-8")

    def __iter__(self):
        return (self[i] for i in range(len(self)))

    def tolist(self):
        return list(self)


class DefaultKeys:
    """The keys of a file that stores none: `photo#processing`, as the format doc defines them."""

    def __init__(self, photo_names, photo, processing_names, processing):
        self._photo_names, self._photo = photo_names, photo
        self._processing_names, self._processing = processing_names, processing

    def __len__(self):
        return len(self._photo)

    def __getitem__(self, i):
        return f"{self._photo_names[self._photo[i]]}#{self._processing_names[self._processing[i]]}"

    def __iter__(self):
        return (self[i] for i in range(len(self)))

    def tolist(self):
        return list(self)


def decode(names, codes):
    """Names of codes, None where a code is -1 (a row without a semantic class or label)."""
    return [None if c < 0 else names[c] for c in np.asarray(codes).tolist()]


def read(path):
    """The file's rows and labels: a dict with `embeddings` (memmap), the coded columns, their vocabularies, and metadata.

    Keys of the dict: version (1 or 2), embeddings [N, D] float32 memmap, processing (int32 codes) and
    processing_names, split (uint8 codes, or None for an old file without one) and split_names, photo (int32) and
    photo_names, crop (int32), done (bool), semantic / label (int32 codes, -1 for none, or None when absent) with
    semantic_names / label_names, keys (a sequence; derived as photo#processing when the file stores none),
    stored_keys (whether it does), metadata (the remaining header strings: encoder, task, layout, seed, ...),
    container_problems (why Python's safetensors would refuse the file: an old file's oversized header; else []).
    Vocabularies and photo_names are numpy object arrays, so names[codes] gives every row's name cheaply.
    """
    size = os.path.getsize(path)
    with open(path, "rb") as f:
        head = f.read(8)
        if len(head) < 8:
            raise ValueError(f"{path}: too short for a safetensors file")
        (header_length,) = struct.unpack("<Q", head)
        if header_length > size - 8 or header_length > V1_HEADER_LIMIT:
            raise ValueError(f"{path}: header length {header_length} is impossible for a {size}-byte file")
        header = json.loads(f.read(header_length))
    metadata = dict(header.pop("__metadata__", None) or {})
    data_start = 8 + header_length
    for name, t in header.items():
        begin, end = t["data_offsets"]
        if not 0 <= begin <= end or data_start + end > size:
            raise ValueError(f"{path}: tensor '{name}' lies outside the file (truncated?)")
    problems = container_problems(header, header_length, size)
    if "format" not in metadata:
        out = _read_v1(path, header, metadata, data_start)
    elif metadata["format"] != FORMAT:
        raise ValueError(f"{path}: format '{metadata['format']}' is not one this reader knows ({FORMAT})")
    elif problems:
        raise ValueError(f"{path}: not a valid {FORMAT} file: {'; '.join(problems)}")
    else:
        out = _read_v2(path, header, metadata, data_start)
    out["container_problems"] = problems
    return out


def container_problems(header, header_length, size):
    """Why Python's safetensors would refuse the file (its rules); [] if it would open it.

    safetensors wants a header of at most 100,000,000 bytes and the tensors' byte ranges, in offset order, to tile
    the data from its start to the end of the file. The tensors may be stored in any order, and the data need not
    start aligned (the writer aligns them; a file written by another tool may not), so neither is checked.
    """
    problems = []
    if header_length > HEADER_LIMIT:
        problems.append(f"header of {header_length:,} bytes, over safetensors' {HEADER_LIMIT:,}")
    ranges = sorted((tuple(t["data_offsets"]), name) for name, t in header.items())
    at = 0
    for (begin, end), name in ranges:
        if begin != at:
            problems.append(f"tensor '{name}' starts at {begin}, not at {at} where the one before ends")
        at = end
    if 8 + header_length + at != size:
        problems.append(f"the tensors end at byte {8 + header_length + at} of a {size}-byte file")
    return problems


def _tensor(path, header, name, data_start, memmap=False):
    """One tensor as a numpy array (a memmap for the embeddings), checked against its dtype, shape and byte range."""
    t = header.get(name)
    if t is None:
        return None
    expected = DTYPE.get(name, "F32")
    if t["dtype"] != expected:
        raise ValueError(f"{path}: tensor '{name}' is {t['dtype']}, expected {expected}")
    dtype = np.dtype(NUMPY[expected])
    shape = tuple(int(s) for s in t["shape"])
    begin, end = t["data_offsets"]
    if end - begin != int(np.prod(shape, dtype=np.int64)) * dtype.itemsize:
        raise ValueError(f"{path}: tensor '{name}' shape {list(shape)} does not match its data offsets {[begin, end]}")
    if 0 in shape:
        return np.zeros(shape, dtype)
    if memmap:
        return np.memmap(path, dtype=dtype, mode="r", offset=data_start + begin, shape=shape)
    return np.fromfile(path, dtype=dtype, count=int(np.prod(shape)), offset=data_start + begin).reshape(shape)


def _names(metadata, key, path):
    try:
        names = json.loads(metadata.pop(key))
    except (KeyError, ValueError) as e:
        raise ValueError(f"{path}: metadata '{key}' is missing or not a JSON array ({e})") from None
    return _object_array(names)


def _object_array(values):
    # An object array indexes by codes without copying strings (a '<U' array would pad every name to the longest).
    out = np.empty(len(values), dtype=object)
    out[:] = values
    return out


def _check_codes(path, name, codes, n, count, allow_missing=False):
    if codes.shape != (n,):
        raise ValueError(f"{path}: tensor '{name}' has shape {list(codes.shape)} for {n} rows")
    if n and (codes.max() >= count or codes.min() < (-1 if allow_missing else 0)):
        raise ValueError(f"{path}: tensor '{name}' has codes outside its {count} names")


def _read_v2(path, header, metadata, data_start):
    for required in ("embeddings", "processing", "split"):
        if required not in header:
            raise ValueError(f"{path}: no '{required}' tensor (a {FORMAT} file needs embeddings, processing and split)")
    x = _tensor(path, header, "embeddings", data_start, memmap=True)
    if x.ndim != 2:
        raise ValueError(f"{path}: embeddings have shape {list(x.shape)}, expected [N, D]")
    n = x.shape[0]
    out = {"version": 2, "embeddings": x}
    for column in ("processing", "split", "semantic", "label"):
        codes = _tensor(path, header, column, data_start)
        if codes is None:
            out[column], out[VOCABULARY[column]] = None, None
            continue
        names = _names(metadata, VOCABULARY[column], path)
        _check_codes(path, column, codes, n, len(names), allow_missing=column in ("semantic", "label"))
        out[column], out[VOCABULARY[column]] = codes, names

    photo = _tensor(path, header, "photo", data_start)
    if photo is None:
        # Without `photo` every row is its own photo, named by its row index.
        out["photo"], out["photo_names"] = np.arange(n, dtype=np.int32), _object_array([str(i) for i in range(n)])
    else:
        offsets = _tensor(path, header, "photo_name_offsets", data_start)
        data = _tensor(path, header, "photo_names", data_start)
        if offsets is None or data is None:
            raise ValueError(f"{path}: tensor 'photo' without 'photo_name_offsets' and 'photo_names'")
        names = _decode_all(path, "photo_names", offsets, data)
        _check_codes(path, "photo", photo, n, len(names))
        out["photo"], out["photo_names"] = photo, _object_array(names)

    crop = _tensor(path, header, "crop", data_start)
    out["crop"] = np.zeros(n, np.int32) if crop is None else crop
    done = _tensor(path, header, "done", data_start)
    out["done"] = np.ones(n, bool) if done is None else done.astype(bool)
    for column in ("crop", "done"):
        if out[column].shape != (n,):
            raise ValueError(f"{path}: tensor '{column}' has shape {list(out[column].shape)} for {n} rows")

    key_offsets = _tensor(path, header, "key_offsets", data_start)
    if key_offsets is None:
        out["keys"] = DefaultKeys(out["photo_names"], out["photo"], out["processing_names"], out["processing"])
        out["stored_keys"] = False
    else:
        key_bytes = _tensor(path, header, "key_bytes", data_start)
        if key_bytes is None or key_offsets.shape != (n + 1,):
            raise ValueError(f"{path}: 'key_offsets' needs 'key_bytes' and N + 1 = {n + 1} entries")
        _check_offsets(path, "key_bytes", key_offsets, len(key_bytes))
        out["keys"], out["stored_keys"] = Strings(key_offsets, key_bytes), True
    out["metadata"] = metadata
    return out


def _check_offsets(path, name, offsets, length):
    if len(offsets) == 0 or offsets[0] != 0 or offsets[-1] != length or np.any(np.diff(offsets) < 0):
        raise ValueError(f"{path}: the offsets of '{name}' do not run from 0 to its {length} bytes in order")


def _decode_all(path, name, offsets, data):
    _check_offsets(path, name, offsets, len(data))
    raw = data.tobytes()
    bounds = offsets.tolist()
    return [raw[bounds[i]:bounds[i + 1]].decode("utf-8") for i in range(len(bounds) - 1)]


def _encode_first_seen(values, allow_missing=False):
    """Codes in order of first appearance (so a photo-major file's processing codes are the task's class order)."""
    vocabulary = {}
    codes = np.empty(len(values), np.int32)
    for i, v in enumerate(values):
        if v is None:
            if not allow_missing:
                raise ValueError(f"row {i} has no value")
            codes[i] = -1
        else:
            codes[i] = vocabulary.setdefault(str(v), len(vocabulary))
    return codes, list(vocabulary)


def _read_v1(path, header, metadata, data_start):
    """The earlier layout, turned into the dict layout 2 gives."""
    x = _tensor(path, header, "embeddings", data_start, memmap=True)
    n = x.shape[0]

    def rows(key):
        if key not in metadata:
            return None
        values = json.loads(metadata[key])
        if len(values) != n:
            raise ValueError(f"{path}: metadata '{key}' has {len(values)} entries for {n} embeddings")
        return values

    keys = rows("keys") or []
    processing = rows("processing") or []
    if len(keys) != n or len(processing) != n:
        raise ValueError(f"{path}: {len(keys)} keys and {len(processing)} processing ids for {n} embeddings")
    photos, crops = rows("photos"), rows("crops")
    # Files older still keyed items "photo#cropN"; only that exact suffix is split off (as the program reads them).
    if photos is None:
        photos = [_legacy_photo(k) for k in keys]
    if crops is None:
        crops = [_legacy_crop(k) for k in keys]
    split, done, semantic = rows("split"), rows("done"), rows("semantic")

    out = {"version": 1, "embeddings": x}
    out["processing"], names = _encode_first_seen(processing)
    out["processing_names"] = _object_array(names)
    if split is None:
        out["split"], out["split_names"] = None, None
    else:
        codes, names = _encode_first_seen(split)
        out["split"], out["split_names"] = codes.astype(np.uint8), _object_array(names)
    out["photo"], names = _encode_first_seen(photos)
    out["photo_names"] = _object_array(names)
    out["crop"] = np.asarray(crops, np.int32).reshape(n)
    out["done"] = np.ones(n, bool) if done is None else np.asarray(done, bool).reshape(n)
    if semantic is None:
        out["semantic"], out["semantic_names"] = None, None
    else:
        out["semantic"], names = _encode_first_seen(semantic, allow_missing=True)
        out["semantic_names"] = _object_array(names)
    out["label"], out["label_names"] = None, None
    out["keys"], out["stored_keys"] = keys, True
    out["metadata"] = {k: v for k, v in metadata.items() if k not in V1_ROW_KEYS}
    return out


def _legacy_crop_at(key):
    at = key.rfind("#crop")
    return at if at >= 0 and at + 5 < len(key) and key[at + 5:].isascii() and key[at + 5:].isdigit() else -1


def _legacy_photo(key):
    at = _legacy_crop_at(key)
    return key[:at] if at >= 0 else key


def _legacy_crop(key):
    at = _legacy_crop_at(key)
    return int(key[at + 5:]) if at >= 0 else 0


def _column(value, n, name, allow_missing=False):
    """(int32 codes, names) from one string per row or from a `Coded`."""
    if isinstance(value, Coded):
        codes = value.codes.astype(np.int32, copy=False).reshape(-1)
        names = value.names
    else:
        if len(value) != n:
            raise ValueError(f"'{name}' has {len(value)} entries for {n} rows")
        codes, names = _encode_first_seen(list(value), allow_missing)
    if codes.shape != (n,):
        raise ValueError(f"'{name}' has {codes.shape[0]} codes for {n} rows")
    if n and (codes.max() >= len(names) or codes.min() < (-1 if allow_missing else 0)):
        raise ValueError(f"'{name}' has codes outside its {len(names)} names")
    return codes, names


def _utf8(strings):
    """(I64 offsets [len + 1], U8 bytes) of strings concatenated as UTF-8.

    One pass into one buffer, so that millions of keys from a generator never sit in memory as a list.
    """
    data = bytearray()
    lengths = []
    for s in strings:
        encoded = str(s).encode("utf-8")
        data += encoded
        lengths.append(len(encoded))
    offsets = np.zeros(len(lengths) + 1, np.int64)
    np.cumsum(np.asarray(lengths, np.int64), out=offsets[1:])
    return offsets, np.frombuffer(data, np.uint8)


class Writer:
    """Writes a layout-2 file with its rows appended block by block, so that memory stays bounded whatever N is.

        with Writer(path, n, dim, processing=..., split=..., photos=...) as w:
            for block in blocks: w.append(block)        # float32 [b, dim], n rows in all

    The per-item columns are given up front: the header records every tensor's byte range, and the photo and key
    offsets are stored before the embeddings. Columns that are strings per row (processing, split, photos, semantic,
    label) may instead be a `Coded(codes, names)`; semantic and label take None (code -1) for a row without one.
    Optional columns left None are not stored (readers default them as the format doc says). The file is written
    beside `path` and moved onto it when complete, so a reader never sees half a file.
    """

    def __init__(self, path, n, dim, processing, split, photos=None, semantic=None, crop=None, done=None, keys=None,
                 label=None, metadata=None):
        self.path, self.n, self.dim, self.rows = path, int(n), int(dim), 0
        arrays, names = {}, {}
        arrays["processing"], names["processing_names"] = _column(processing, self.n, "processing")
        split_codes, names["split_names"] = _column(split, self.n, "split")
        if len(names["split_names"]) > 255:
            raise ValueError("'split' has more than 255 names (its codes are bytes)")
        arrays["split"] = split_codes.astype(np.uint8)
        if photos is not None:
            arrays["photo"], photo_names = _column(photos, self.n, "photos")
            arrays["photo_name_offsets"], arrays["photo_names"] = _utf8(photo_names)
        for column, value in (("semantic", semantic), ("label", label)):
            if value is not None:
                arrays[column], names[VOCABULARY[column]] = _column(value, self.n, column, allow_missing=True)
        for column, value, dtype in (("crop", crop, np.int32), ("done", done, np.uint8)):
            if value is not None:
                arrays[column] = np.asarray(value).astype(dtype).reshape(-1)
                if arrays[column].shape != (self.n,):
                    raise ValueError(f"'{column}' has {arrays[column].shape[0]} entries for {self.n} rows")
        if keys is not None:
            arrays["key_offsets"], arrays["key_bytes"] = _utf8(keys)
            if len(arrays["key_offsets"]) != self.n + 1:
                raise ValueError(f"'keys' has {len(arrays['key_offsets']) - 1} entries for {self.n} rows")

        text = {"format": FORMAT}
        for k, v in (metadata or {}).items():
            if k in text or k in VOCABULARY.values():
                raise ValueError(f"metadata '{k}' is the writer's own (format and vocabularies)")
            text[str(k)] = str(v)
        text.update({k: json.dumps(v, ensure_ascii=False, separators=(",", ":")) for k, v in names.items()})

        header = {"__metadata__": text}
        offset = 0
        for name in ORDER:
            if name == "embeddings":
                shape, size = [self.n, self.dim], self.n * self.dim * 4
            elif name in arrays:
                shape, size = list(arrays[name].shape), arrays[name].nbytes
            else:
                continue
            header[name] = {"dtype": DTYPE[name], "shape": shape, "data_offsets": [offset, offset + size]}
            offset += size
        encoded = json.dumps(header, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
        # Spaces after the JSON so that the data start (8 + header length) is 8-byte aligned.
        encoded += b" " * (-len(encoded) % 8)
        if len(encoded) > HEADER_LIMIT:
            raise ValueError(f"the header would be {len(encoded):,} bytes; Python's safetensors refuses one over "
                             f"{HEADER_LIMIT:,} (vocabularies or metadata too large)")
        self._arrays = arrays
        self._tmp = f"{path}.tmp-{os.getpid()}"
        self._file = open(self._tmp, "wb")
        self._file.write(struct.pack("<Q", len(encoded)))
        self._file.write(encoded)
        for name in ORDER[:ORDER.index("embeddings")]:
            self._write(name)

    def _write(self, name):
        if name in self._arrays:
            self._file.write(np.ascontiguousarray(self._arrays[name], NUMPY[DTYPE[name]]).data)

    def append(self, block):
        """Appends rows (float32 [b, dim]) after those already written."""
        block = np.ascontiguousarray(block, "<f4")
        if block.ndim != 2 or block.shape[1] != self.dim:
            raise ValueError(f"a block of shape {list(block.shape)}, expected [rows, {self.dim}]")
        if self.rows + block.shape[0] > self.n:
            raise ValueError(f"{self.rows + block.shape[0]} rows appended to a file of {self.n}")
        self._file.write(block.data)
        self.rows += block.shape[0]

    def close(self):
        """Writes the columns after the rows and publishes the file (all N rows must have been appended)."""
        if self._file is None:
            return
        if self.rows != self.n:
            self.abort()
            raise ValueError(f"{self.rows} rows appended to a file of {self.n}; nothing was written")
        for name in ORDER[ORDER.index("embeddings") + 1:]:
            self._write(name)
        self._file.flush()
        os.fsync(self._file.fileno())
        self._file.close()
        self._file = None
        os.replace(self._tmp, self.path)

    def abort(self):
        """Drops the half-written file."""
        if self._file is not None:
            self._file.close()
            self._file = None
            os.remove(self._tmp)

    def __enter__(self):
        return self

    def __exit__(self, kind, value, traceback):
        if kind is None:
            self.close()
        else:
            self.abort()


def write(path, embeddings, processing, split, photos=None, semantic=None, crop=None, done=None, keys=None,
          metadata=None, label=None, block_rows=65536):
    """Writes a layout-2 file in one call (rows read block by block, so a memmap input is never loaded whole)."""
    n, dim = embeddings.shape
    with Writer(path, n, dim, processing, split, photos=photos, semantic=semantic, crop=crop, done=done, keys=keys,
                label=label, metadata=metadata) as w:
        for start in range(0, n, block_rows):
            w.append(embeddings[start:start + block_rows])
