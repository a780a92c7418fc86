"""TensorFlow 2's values and bytes for tests/test_tf_io14.py: tf.io decoders and TensorProto
bytes, PNG / BMP codecs, tf.sparse, tf.image boxes, tf.train's moving averages and the
top-level structural names, recorded into tests/data/tf_io14_refs.json.

Each case is a Python expression over INPUTS (NumPy arrays, bytes) with ``tf`` bound to the
library under test; the test evaluates it with ``import tensorforge as tf`` and compares.
Outputs are recorded as {dtype, shape, values} (strings as hex), a SparseTensor as its three
parts, lists / tuples / dicts element-wise. ERRORS records the tf.errors class (or Python
exception class) TensorFlow raises for bad arguments. Image fixtures that TensorFlow cannot
write (palette, interlaced, 1-bit PNGs, BMPs) are made by Pillow here and stored as hex.
Rerunning rewrites the file identically except ``seq1_tf``: TensorFlow's protobuf (upb)
writes a map of several entries in an order that changes from process to process, which is
why the tests compare SequenceExamples with several features by their parsed values.
Run with the Keras 2 oracle venv, never in tests:
    ../keras-venv/bin/python tools/gen_tf_io14_refs.py
"""
import gzip
import io
import json
import os
import zlib

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402
from PIL import Image  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "..", "tests", "data", "tf_io14_refs.json")

rng = np.random.default_rng(14)


def _pil(arr, fmt, mode=None, **kw):
    b = io.BytesIO()
    img = Image.fromarray(arr)
    if mode:
        img = img.convert(mode)
    img.save(b, fmt, **kw)
    return b.getvalue()


rgb = rng.integers(0, 256, (7, 9, 3), dtype=np.uint8)
rgba = rng.integers(0, 256, (5, 6, 4), dtype=np.uint8)
gray = rng.integers(0, 256, (6, 5, 1), dtype=np.uint8)
ramp16 = np.array([0, 255, 256, 0x80FF, 0x8100, 0xFFFF, 12345, 54321, 33023, 65280, 7, 40000],
                  np.uint16).reshape(3, 4, 1)
rgb16 = rng.integers(0, 65536, (4, 3, 3), dtype=np.uint16)
pal = rng.integers(0, 5, (6, 7), dtype=np.uint8)
pimg = Image.fromarray(pal, "P")
pimg.putpalette([10, 20, 30, 200, 100, 0, 0, 255, 0, 1, 2, 3, 250, 240, 230] + [0] * 741)
b = io.BytesIO()
pimg.save(b, "PNG")
png_palette = b.getvalue()
b = io.BytesIO()
pimg.info["transparency"] = bytes([255, 0, 128])
pimg.save(b, "PNG", transparency=bytes([255, 0, 128]))
png_palette_trns = b.getvalue()

INPUTS = {
    "rgb": rgb, "rgba": rgba, "gray": gray, "ramp16": ramp16, "rgb16": rgb16,
    "x": rng.normal(size=(3, 4)).astype(np.float32),
    "v": rng.normal(size=(6,)).astype(np.float32),
    "d": np.array([[1.0, 0.0, 2.0], [0.0, 0.0, 3.0], [4.0, 0.0, 0.0]], np.float32),
    "boxes": np.array([[0, 0, 1, 1], [0, 0.1, 1, 1.1], [0, -0.1, 1, 0.9], [0, 10, 1, 11],
                       [0, 10.1, 1, 11.1], [0, 100, 1, 101]], np.float32),
    "scores": np.array([0.9, 0.75, 0.6, 0.95, 0.5, 0.3], np.float32),
    "img": rng.uniform(0, 1, size=(2, 5, 6, 3)).astype(np.float32),
    # image files TensorFlow has no encoder for (hex in the JSON)
    "png_palette": png_palette,
    "png_palette_trns": png_palette_trns,
    "png_interlaced_rgb": None,  # filled below (Pillow cannot write Adam7; built by hand)
    "png_gray1": _pil((gray[..., 0] > 128), "PNG"),
    "png_gray_la": _pil(np.dstack([gray[..., 0], 255 - gray[..., 0]]), "PNG", mode="LA"),
    "bmp24": _pil(rgb, "BMP"),
    "bmp32": _pil(rgba, "BMP"),
    "bmp8": _pil(gray[..., 0], "BMP"),
    "zlib": zlib.compress(b"hello tensorforge" * 3),
    "gzip": gzip.compress(b"gzip data\n", mtime=0),  # mtime 0: the same bytes every run
}


def _interlaced_png(img):
    """An Adam7 RGB PNG written here (filter None), so the decoder's interlace path is
    checked against TensorFlow's (libpng's) reading of the same bytes."""
    import struct
    h, w, _ = img.shape
    passes = ((0, 0, 8, 8), (4, 0, 8, 8), (0, 4, 4, 8), (2, 0, 4, 4), (0, 2, 2, 4), (1, 0, 2, 2),
              (0, 1, 1, 2))
    raw = b""
    for x0, y0, dx, dy in passes:
        sub = img[y0::dy, x0::dx]
        if sub.size:
            raw += b"".join(b"\0" + row.tobytes() for row in sub)

    def chunk(k, p):
        return struct.pack(">I", len(p)) + k + p + struct.pack(">I", zlib.crc32(k + p))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, 2, 0, 0, 1))
            + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))


INPUTS["png_interlaced_rgb"] = _interlaced_png(rgb)
smooth = (np.add.outer(np.arange(24), np.arange(32))[..., None] * [3, 5, 7] % 256).astype(np.uint8)
INPUTS["jpeg"] = _pil(smooth, "JPEG", quality=92)
INPUTS["jpeg_gray"] = _pil(smooth[..., 0], "JPEG", quality=92)
INPUTS["jpeg_progressive"] = _pil(smooth, "JPEG", quality=80, progressive=True)
_frames = [Image.fromarray(rng.integers(0, 256, (4, 6, 3), dtype=np.uint8)).quantize(8)
           for _ in range(3)]
_b = io.BytesIO()
_frames[0].save(_b, "GIF", save_all=True, append_images=_frames[1:], disposal=1)
INPUTS["gif"] = _b.getvalue()

CASES = {
    # ---- TensorProto bytes --------------------------------------------------------------------
    "serialize_f32": "tf.io.serialize_tensor(x)",
    "serialize_scalar": "tf.io.serialize_tensor(tf.constant(1.5))",
    "serialize_i32": "tf.io.serialize_tensor(tf.constant([[1, 2], [3, 4]]))",
    "serialize_i64": "tf.io.serialize_tensor(tf.constant(np.array([5, -1, 2**40], np.int64)))",
    "serialize_str": "tf.io.serialize_tensor(tf.constant([b'ab', b'', b'xyz']))",
    "serialize_str_scalar": "tf.io.serialize_tensor(tf.constant(b'x'))",
    "serialize_empty": "tf.io.serialize_tensor(tf.zeros((0, 3)))",
    "serialize_bool": "tf.io.serialize_tensor(tf.constant([True, False]))",
    "serialize_u8": "tf.io.serialize_tensor(tf.constant(np.array([1, 255], np.uint8)))",
    "parse_f32": "tf.io.parse_tensor(tf.io.serialize_tensor(x), tf.float32)",
    "parse_str": "tf.io.parse_tensor(tf.io.serialize_tensor(tf.constant([b'ab', b''])), tf.string)",
    "proto_scalar": "tf.make_tensor_proto(1.0).SerializeToString()",
    "proto_list": "tf.make_tensor_proto([1, 2]).SerializeToString()",
    "proto_f32": "tf.make_tensor_proto(x).SerializeToString()",
    "proto_str": "tf.make_tensor_proto([b'a', b'b']).SerializeToString()",
    "proto_i64": "tf.make_tensor_proto(np.int64(3)).SerializeToString()",
    "proto_int": "tf.make_tensor_proto(3).SerializeToString()",
    "proto_bcast": "tf.make_tensor_proto(1.0, shape=[2, 2]).SerializeToString()",
    "ndarray_bcast": "tf.make_ndarray(tf.make_tensor_proto(2.5, shape=[2, 3]))",
    "ndarray_f32": "tf.make_ndarray(tf.make_tensor_proto(x))",
    "serialize_sparse": "tf.io.serialize_sparse(sp)",
    "serialize_sparse_str": "tf.io.serialize_sparse(sps)",
    "serialize_many_sparse": "tf.io.serialize_many_sparse(sp3)",
    "deserialize_many_sparse": "tf.io.deserialize_many_sparse(tf.io.serialize_many_sparse(sp3), "
                               "tf.int32)",
    "deserialize_many_sparse_stack": "tf.io.deserialize_many_sparse(["
                                     "tf.io.serialize_sparse(sp).numpy(), tf.io.serialize_sparse("
                                     "tf.sparse.reset_shape(sp2, [5, 4])).numpy()], tf.float32)",
    # ---- decoders -----------------------------------------------------------------------------
    "decode_raw_i16": "tf.io.decode_raw(['abcd', 'efgh'], tf.int16)",
    "decode_raw_be": "tf.io.decode_raw(['abcd', 'efgh'], tf.int16, little_endian=False)",
    "decode_raw_fixed": "tf.io.decode_raw(['abc', 'abcdef'], tf.int16, fixed_length=4)",
    "decode_raw_f32": "tf.io.decode_raw(tf.io.serialize_tensor(x), tf.uint8)",
    "decode_raw_scalar": "tf.io.decode_raw('abcdefgh', tf.float64)",
    "decode_csv": "tf.io.decode_csv(['1,2.5,a', '3,,\"b,c\"'], [[0], [1.0], ['z']])",
    "decode_csv_na":
        "tf.io.decode_csv(['1;NA;3'], [[0], [7], [0]], field_delim=';', na_value='NA')",
    "decode_csv_select": "tf.io.decode_csv(['1,2,3', '4,5,6'], [[0], [0.0]], select_cols=[0, 2])",
    "decode_csv_types":
        "tf.io.decode_csv(['1,2', '3,4'], [tf.constant([], tf.int64), [np.float64(0)]])",
    "decode_csv_quote": "tf.io.decode_csv('\"a\"\"b\",x', [[''], ['']])",
    "decode_csv_noquote": "tf.io.decode_csv('\"a\"\"b\",x', [[''], ['']], use_quote_delim=False)",
    "decode_csv_2d": "tf.io.decode_csv([['1,e', '2,f']], [[0], ['']])",
    "decode_csv_floats": "tf.io.decode_csv('1e3,inf, 2', [[0.0], [0.0], [0]])",
    "base64": "tf.io.encode_base64([b'\\xfb\\xff ab', b'', b'tensorforge'])",
    "base64_pad": "tf.io.encode_base64([b'\\xfb\\xff ab', b'a'], pad=True)",
    "unbase64": "tf.io.decode_base64(['-_8gYWI', '-_8gYWI=', 'YQ==', ''])",
    "decompress_zlib": "tf.io.decode_compressed(zlib, 'ZLIB')",
    "decompress_gzip": "tf.io.decode_compressed([gzip], 'GZIP')",
    "decompress_none": "tf.io.decode_compressed(zlib)",
    "json_example": "tf.io.decode_json_example(['{\"features\": {\"feature\": {\"a\": "
                    "{\"int64List\": {\"value\": [\"5\", -2]}}}}}', '{\"features\": "
                    "{\"feature\": {\"b\": {\"bytesList\": {\"value\": [\"YWJj\"]}}}}}',"
                    " '{\"features\": {\"feature\": {\"f\": {\"floatList\": {\"value\": "
                    "[1.5, \"NaN\"]}}}}}', '{}'])",
    # ---- PNG / BMP ---------------------------------------------------------------------------
    "encode_png_rgb": "tf.io.encode_png(rgb)",
    "encode_png_rgb_9": "tf.io.encode_png(rgb, compression=9)",
    "encode_png_rgb_0": "tf.io.encode_png(rgb, compression=0)",
    "encode_png_rgba": "tf.io.encode_png(rgba)",
    "encode_png_gray": "tf.io.encode_png(gray)",
    "encode_png_16": "tf.io.encode_png(ramp16)",
    "encode_png_rgb16": "tf.io.encode_png(rgb16)",
    "encode_png_big": "tf.io.encode_png(big)",
    # incompressible rows: zlib's stored blocks depend on how libpng feeds it, so only the
    # pixels are TensorFlow's, not the bytes
    "encode_png_noise": "tf.reduce_all(tf.io.decode_png(tf.io.encode_png(noise)) == noise)",
    "encode_png_hashed": "tf.io.encode_png(hashed)",
    "png_to_gray": "tf.io.decode_png(tf.io.encode_png(rgb), channels=1)",
    "png_to_rgba": "tf.io.decode_png(tf.io.encode_png(rgb), channels=4)",
    "png_rgba_to_rgb": "tf.io.decode_png(tf.io.encode_png(rgba), channels=3)",
    "png_rgba_to_gray": "tf.io.decode_png(tf.io.encode_png(rgba), channels=1)",
    "png_gray_to_rgb": "tf.io.decode_png(tf.io.encode_png(gray), channels=3)",
    "png_16_to_8": "tf.io.decode_png(tf.io.encode_png(ramp16))",
    "png_16_to_16": "tf.io.decode_png(tf.io.encode_png(ramp16), dtype=tf.uint16)",
    "png_16_rgba": "tf.io.decode_png(tf.io.encode_png(ramp16), channels=4, dtype=tf.uint16)",
    "png_rgb16_gray": "tf.io.decode_png(tf.io.encode_png(rgb16), channels=1, dtype=tf.uint16)",
    "png_rgb16_gray8": "tf.io.decode_png(tf.io.encode_png(rgb16), channels=1)",
    "png_8_to_16": "tf.io.decode_png(tf.io.encode_png(rgb), dtype=tf.uint16)",
    "png_palette": "tf.io.decode_png(png_palette)",
    "png_palette_gray": "tf.io.decode_png(png_palette, channels=1)",
    "png_palette_trns": "tf.io.decode_png(png_palette_trns)",
    "png_interlaced": "tf.io.decode_png(png_interlaced_rgb)",
    "png_gray1": "tf.io.decode_png(png_gray1)",
    "png_gray_la": "tf.io.decode_png(png_gray_la)",
    "png_gray_la_rgba": "tf.io.decode_png(png_gray_la, channels=4)",
    "image_png_float": "tf.io.decode_image(tf.io.encode_png(rgb), dtype=tf.float32)",
    "image_png16_u8": "tf.io.decode_image(tf.io.encode_png(ramp16))",
    "image_png16_float": "tf.io.decode_image(tf.io.encode_png(ramp16), dtype=tf.float32)",
    "bmp24": "tf.io.decode_bmp(bmp24)",
    "bmp32": "tf.io.decode_bmp(bmp32)",
    "bmp8": "tf.io.decode_bmp(bmp8)",
    "bmp8_rgb": "tf.io.decode_bmp(bmp8, channels=3)",
    "bmp8_rgba": "tf.io.decode_bmp(bmp8, channels=4)",
    "bmp24_rgba": "tf.io.decode_bmp(bmp24, channels=4)",
    "bmp32_rgb": "tf.io.decode_bmp(bmp32, channels=3)",
    "image_bmp": "tf.io.decode_image(bmp24, channels=4)",
    "is_jpeg": "(tf.io.is_jpeg(bmp24), tf.io.is_jpeg(b'\\xff\\xd8\\xff\\xe0'))",
    "jpeg_shape": "(tf.image.extract_jpeg_shape(jpeg), tf.io.extract_jpeg_shape(jpeg_gray, "
                  "output_type=tf.int64), tf.image.extract_jpeg_shape(jpeg_progressive))",
    "gif_frames": "tf.io.decode_gif(gif)",
    "gif_image": "tf.io.decode_image(gif, expand_animations=False)",
    # lossy: libjpeg versions may differ by a few levels (the test allows JPEG_TOLERANCE)
    "jpeg_rgb": "tf.io.decode_jpeg(jpeg)",
    "jpeg_to_gray": "tf.io.decode_jpeg(jpeg, channels=1)",
    "jpeg_gray": "tf.io.decode_jpeg(jpeg_gray)",
    "jpeg_gray_to_rgb": "tf.io.decode_jpeg(jpeg_gray, channels=3)",
    "jpeg_progressive": "tf.io.decode_jpeg(jpeg_progressive)",
    "jpeg_image_float": "tf.io.decode_image(jpeg, dtype=tf.float32)",
    "jpeg_crop": "tf.io.decode_and_crop_jpeg(jpeg, [2, 3, 10, 12])",
}

# run before the cases, by the generator and by the test, so both build the same SparseTensors
SETUP = """
sp = tf.sparse.SparseTensor([[0, 1], [1, 0], [2, 2], [2, 3]], [1.0, -2.0, 3.0, 4.0], [3, 4])
sp2 = tf.sparse.SparseTensor([[0, 1], [1, 2], [2, 3]], [5.0, 6.0, -4.0], [3, 4])
spu = tf.sparse.SparseTensor([[2, 3], [0, 1], [1, 0]], [4.0, 1.0, -2.0], [3, 4])
sp3 = tf.sparse.SparseTensor([[0, 0, 1], [0, 2, 0], [1, 1, 1]], [1, 2, 3], [2, 3, 2])
spi = tf.sparse.SparseTensor([[0, 0], [0, 1], [1, 0], [2, 1]], np.array([3, 1, 3, 0], np.int64),
                             [4, 2])
sps = tf.sparse.SparseTensor([[0, 0], [0, 1], [1, 0]], [b'a', b'b', b'c'], [3, 2])
spn = tf.sparse.SparseTensor([[0, 0], [1, 0], [1, 1]], np.array([7, 8, 9], np.int64), [3, 2])


def grad_of(f, *xs):
    xs = [tf.Variable(x) for x in xs]
    with tf.GradientTape() as tape:
        y = f(*xs)
        w = np.cos(np.arange(int(np.prod(y.shape)))).reshape(y.shape).astype(np.float32)
        loss = tf.reduce_sum(y * w)
    return [y] + tape.gradient(loss, xs)


# images larger than zlib's 16 KiB small-data case (big: smooth, hashed: a multiplicative
# hash of the position, noise: incompressible)
big = (np.add.outer(np.arange(90), np.arange(120))[..., None] * [1, 2, 3] % 256).astype(np.uint8)
hashed = ((np.arange(80 * 70 * 3, dtype=np.uint64) * 2654435761 >> 11) % 256).astype(
    np.uint8).reshape(80, 70, 3)
noise = np.random.default_rng(0).integers(0, 256, (80, 70, 3), dtype=np.uint8)

# MS-SSIM needs images of 176+ pixels: made here on both sides (not stored)
_k = np.arange(2 * 181 * 177 * 2, dtype=np.float64)
big_a = (0.5 + 0.4 * np.sin(_k * 0.37) * np.cos(_k * 0.011)).astype(np.float32).reshape(
    2, 181, 177, 2)
big_b = np.clip(big_a + 0.1 * np.sin(_k * 1.3).reshape(big_a.shape), 0, 1).astype(np.float32)
small_a, small_b = big_a[:, :23, :21], big_b[:, :23, :21]


def ema_run(decay, num_updates=None):
    v = tf.Variable([1.0, 2.0], name='w')
    u = tf.Variable(10.0, name='u')
    ema = tf.train.ExponentialMovingAverage(decay, num_updates=num_updates)
    ema.apply([v, u])
    out = [ema.average(v).numpy(), ema.average(u).numpy()]
    for a, b in (([3.0, 5.0], 20.0), ([0.0, 1.0], -4.0)):
        v.assign(a)
        u.assign(b)
        ema.apply([v, u])
        out += [ema.average(v).numpy(), ema.average(u).numpy()]
    return out + [ema.average_name(v), ema.name, sorted(ema.variables_to_restore([v, u]))]


def feat(kind, vals):
    if kind == 'i':
        return tf.train.Feature(int64_list=tf.train.Int64List(value=vals))
    if kind == 'f':
        return tf.train.Feature(float_list=tf.train.FloatList(value=vals))
    return tf.train.Feature(bytes_list=tf.train.BytesList(value=vals))


def seq_example(n, words):
    return tf.train.SequenceExample(
        context=tf.train.Features(feature={'id': feat('i', [n]), 'tag': feat('b', [b'x'] * n)}),
        feature_lists=tf.train.FeatureLists(feature_list={
            'tok': tf.train.FeatureList(feature=[feat('i', [i, 2 * i]) for i in range(n)]),
            'w': tf.train.FeatureList(feature=[feat('b', w) for w in words]),
            'f': tf.train.FeatureList(feature=[feat('f', [0.5 * i]) for i in range(n)])}))


seq1 = seq_example(2, [[b'a'], [b'b', b'c']]).SerializeToString()
seq2 = seq_example(3, [[], [b'd'], [b'e']]).SerializeToString()
ctx_spec = {'id': tf.io.FixedLenFeature([], tf.int64), 'tag': tf.io.VarLenFeature(tf.string)}
seq_spec = {'tok': tf.io.FixedLenSequenceFeature([2], tf.int64),
            'w': tf.io.VarLenFeature(tf.string),
            'f': tf.io.FixedLenSequenceFeature([], tf.float32),
            'missing': tf.io.FixedLenSequenceFeature([], tf.float32, allow_missing=True)}


def example(**feats):
    return tf.train.Example(features=tf.train.Features(feature={
        k: feat(kind, v) for k, (kind, v) in feats.items()})).SerializeToString()


ex_a = example(ix=('i', [3, 0]), val=('f', [1.5, 2.5]), r=('i', [1, 2, 3]), w=('b', [b'p']))
ex_b = example(ix=('i', [1]), val=('f', [7.0]), r=('i', [4]))
ex_c = example(x=('i', [1]))
sparse_spec = {'sp': tf.io.SparseFeature('ix', 'val', tf.float32, 5),
               'r': tf.io.RaggedFeature(tf.int64),
               'rw': tf.io.RaggedFeature(tf.string, value_key='w')}


def fixed_records(data, record_bytes, **kw):
    import tempfile
    d = tempfile.mkdtemp()
    p = d + '/records.bin'
    with open(p, 'wb') as f:
        f.write(data)
    return list(tf.data.FixedLengthRecordDataset(p, record_bytes, **kw).as_numpy_iterator())
"""

SPARSE = {
    "sp_from_dense": "tf.sparse.from_dense(d)",
    "sp_from_dense_str": "tf.sparse.from_dense(tf.constant([[b'', b'a'], [b'b', b'']]))",
    "sp_to_dense": "tf.sparse.to_dense(spu, validate_indices=False)",
    "sp_to_dense_default": "tf.sparse.to_dense(sp, default_value=9.0)",
    "sp_to_indicator": "tf.sparse.to_indicator(spi, 5)",
    "sp_add": "tf.sparse.add(sp, sp2)",
    "sp_add_thresh": "tf.sparse.add(sp, sp2, threshold=4.5)",
    "sp_add_dense": "tf.sparse.add(sp, x)",
    "sp_concat1": "tf.sparse.concat(1, [sp, sp2])",
    "sp_concat0": "tf.sparse.concat(0, [sp, sp2])",
    "sp_concat_expand": "tf.sparse.concat(1, [sp, tf.sparse.reset_shape(sp2, [4, 5])], "
                        "expand_nonconcat_dims=True)",
    "sp_reshape": "tf.sparse.reshape(sp, [2, -1])",
    "sp_reshape3": "tf.sparse.reshape(sp3, [3, 4])",
    "sp_slice": "tf.sparse.slice(sp, [1, 1], [5, 3])",
    "sp_split": "tf.sparse.split(sp_input=sp, num_split=3, axis=1)",
    "sp_split0": "tf.sparse.split(sp_input=sp, num_split=2, axis=0)",
    "sp_transpose": "tf.sparse.transpose(sp)",
    "sp_transpose3": "tf.sparse.transpose(sp3, [2, 0, 1])",
    "sp_reorder": "tf.sparse.reorder(spu)",
    "sp_retain": "tf.sparse.retain(sp, [True, False, True, False])",
    "sp_reset_shape": "tf.sparse.reset_shape(sp)",
    "sp_reset_shape_new": "tf.sparse.reset_shape(sp, [5, 6])",
    "sp_reduce_sum": "tf.sparse.reduce_sum(sp)",
    "sp_reduce_sum_ax": "tf.sparse.reduce_sum(sp, axis=1)",
    "sp_reduce_sum_keep": "tf.sparse.reduce_sum(sp3, axis=[0, 2], keepdims=True)",
    "sp_reduce_sum_sparse": "tf.sparse.reduce_sum(sp, axis=0, output_is_sparse=True)",
    "sp_reduce_max": "tf.sparse.reduce_max(sp, axis=1)",
    "sp_reduce_max_empty": "tf.sparse.reduce_max(sp2, axis=0)",
    "sp_reduce_max_int": "tf.sparse.reduce_max(sp3, axis=2)",
    "sp_matmul": "tf.sparse.sparse_dense_matmul(sp, tf.transpose(x))",
    "sp_matmul_adj": "tf.sparse.sparse_dense_matmul(sp, x[:, :3], adjoint_a=True, adjoint_b=True)",
    "sp_matmul_dense_sparse": "tf.sparse.sparse_dense_matmul(tf.transpose(x), sp)",
    "sp_matmul_grad": "grad_of(lambda b, v: tf.sparse.sparse_dense_matmul("
                      "tf.sparse.SparseTensor(sp.indices, v, sp.dense_shape), b), "
                      "tf.transpose(x), sp.values)",
    "sp_softmax": "tf.sparse.softmax(sp)",
    "sp_maximum": "tf.sparse.maximum(sp, sp2)",
    "sp_minimum": "tf.sparse.minimum(sp, sp2)",
    "sp_fill_empty": "tf.sparse.fill_empty_rows(tf.sparse.slice(sp, [0, 0], [3, 2]), -1.0)",
    "sp_fill_empty_str": "tf.sparse.fill_empty_rows(sps, b'z')",
    "sp_expand_dims": "tf.sparse.expand_dims(sp, axis=1)",
    "sp_expand_dims_end": "tf.sparse.expand_dims(sp3, -1)",
    "sp_eye": "tf.sparse.eye(3, 4)",
    "sp_eye_int": "tf.sparse.eye(2, dtype=tf.int64)",
    "sp_map_values": "tf.sparse.map_values(tf.math.multiply, sp, 2.0)",
    "sp_map_values_two": "tf.sparse.map_values(tf.add, sp, sp)",
    "sp_mask": "tf.sparse.mask(tf.IndexedSlices(x, tf.constant([4, 7, 9])), tf.constant([7]))",
    "sp_segment_sum": "tf.sparse.segment_sum(x, tf.constant([0, 2, 1, 2]), "
                      "tf.constant([0, 0, 1, 3]))",
    "sp_segment_mean": "tf.sparse.segment_mean(x, tf.constant([0, 2, 1]), tf.constant([0, 0, 1]))",
    "sp_segment_sqrt_n": "tf.sparse.segment_sqrt_n(x, tf.constant([0, 2, 1]), "
                         "tf.constant([0, 0, 2]))",
    "sp_segment_sum_n": "tf.sparse.segment_sum(x, tf.constant([0, 1]), tf.constant([1, 1]), "
                        "num_segments=3)",
    "sp_segment_grad": "grad_of(lambda a: tf.sparse.segment_mean(a, tf.constant([0, 2, 2]), "
                       "tf.constant([0, 1, 1])), x)",
    "sp_bincount": "tf.sparse.bincount(tf.constant([[1, 3, 1], [0, 3, 5]]))",
    "sp_bincount_row": "tf.sparse.bincount(tf.constant([[1, 3, 1], [0, 3, 5]]), axis=-1)",
    "sp_bincount_w": "tf.sparse.bincount(tf.constant([1, 3, 1]), "
                     "weights=tf.constant([0.5, 1., 2.]),"
                     " minlength=6)",
    "sp_bincount_max": "tf.sparse.bincount(tf.constant([[1, 3, 1], [0, 3, 5]]), axis=-1, "
                       "maxlength=3, binary_output=True)",
    "sp_bincount_sparse": "tf.sparse.bincount(spi, axis=-1)",
    "sp_cross": "tf.sparse.cross([sps, tf.constant([[b'x'], [b'y'], [b'z']])])",
    "sp_cross_int": "tf.sparse.cross([spn, sps], separator='*')",
    "sp_cross_hashed": "tf.sparse.cross_hashed([sps, tf.constant([[b'x'], [b'y'], [b'z']])], "
                       "num_buckets=1000)",
    "sp_cross_hashed_int": "tf.sparse.cross_hashed([spn, sps])",
    "sp_cross_hashed_key": "tf.sparse.cross_hashed([sps, spn], num_buckets=97, hash_key=12345)",
}
CASES.update(SPARSE)

OTHERS = {
    # tf.train
    "ema": "ema_run(0.9)",
    "ema_num_updates": "ema_run(0.99, num_updates=tf.Variable(3))",
    # one-entry maps: byte-identical (upb writes several entries in its hash table's order)
    "seq_bytes": "tf.train.SequenceExample(context=tf.train.Features(feature={'id': "
                 "feat('i', [4])}), feature_lists=tf.train.FeatureLists(feature_list={'t': "
                 "tf.train.FeatureList(feature=[feat('b', [b'a', b'b']), feat('b', [])])}))"
                 ".SerializeToString()",
    "seq_parse_tf_bytes": "tf.io.parse_single_sequence_example(seq1_tf, ctx_spec, seq_spec)",
    "seq_bytes_lists_only": "tf.train.SequenceExample(feature_lists=tf.train.FeatureLists("
                            "feature_list={'a': tf.train.FeatureList(feature=[feat('f', [1.5]), "
                            "tf.train.Feature()])})).SerializeToString()",
    "seq_roundtrip": "tf.io.parse_single_sequence_example(tf.train.SequenceExample.FromString("
                     "seq1_tf).SerializeToString(), ctx_spec, seq_spec)",
    "seq_parse_single": "tf.io.parse_single_sequence_example(seq1, ctx_spec, seq_spec)",
    "seq_parse_batch": "tf.io.parse_sequence_example([seq1, seq2], ctx_spec, seq_spec)",
    "seq_parse_no_context": "tf.io.parse_single_sequence_example(seq2, sequence_features="
                            "{'tok': tf.io.FixedLenSequenceFeature([2], tf.int64)})",
    "example_sparse_ragged": "tf.io.parse_single_example(ex_a, sparse_spec)",
    "example_sparse_ragged_batch": "tf.io.parse_example([ex_a, ex_b, ex_c], sparse_spec)",
    "example_sparse_sorted": "tf.io.parse_single_example(ex_a, {'sp': tf.io.SparseFeature("
                             "'ix', 'val', tf.float32, 5, already_sorted=True)})",
    # tf.data
    "fixed_records": "fixed_records(b'HHabcdefghijFFF', 5, header_bytes=2, footer_bytes=3)",
    "fixed_records_plain": "fixed_records(b'0123456789', 2)",
    "fixed_records_gzip": "fixed_records(gzip, 5, compression_type='GZIP')",
    # top-level structural names
    "ensure_shape": "tf.ensure_shape(x, [3, None])",
    "get_static_value": "(tf.get_static_value(x), tf.get_static_value([1, 2]))",
    "identity_n": "tf.identity_n([x, v])",
    "shape_n": "tf.shape_n([x, v, tf.constant(1.0)])",
    "shape_n_64": "tf.shape_n([x], out_type=tf.int64)",
    "case_first_true": "tf.case([(tf.constant(False), lambda: x), "
                       "(tf.constant(True), lambda: 2 * x)])",
    "case_default": "tf.case([(tf.constant(False), lambda: x)], default=lambda: -x)",
    "switch_case": "tf.switch_case(tf.constant(1), [lambda: x, lambda: 2 * x, lambda: 3 * x])",
    "switch_case_out": "tf.switch_case(tf.constant(7), [lambda: x, lambda: 2 * x])",
    "switch_case_default": "tf.switch_case(tf.constant(-1), [lambda: x], default=lambda: -x)",
    "vectorized_map": "tf.vectorized_map(lambda r: r * 2.0 + 1.0, x)",
    "grad_pass_through": "grad_of(lambda a: tf.grad_pass_through("
                         "lambda t: tf.round(t * 3.0))(a), x)",
    "recompute_grad": "grad_of(lambda a: tf.recompute_grad(lambda t: tf.sin(t) * t)(a), x)",
    "indexed_slices": "tf.convert_to_tensor(tf.IndexedSlices(x[:2], tf.constant([3, 3]), "
                      "tf.constant([5, 4])))",
    "tuple": "tf.tuple([x, v])",
    "inside_function": "tf.inside_function()",
    "is_symbolic": "tf.is_symbolic_tensor(x)",
    "logger_name": "tf.get_logger().name",
    "make_ndarray_str": "tf.make_ndarray(tf.make_tensor_proto([b'a', b'bc']))",
    "dtypes_unsigned": "(tf.constant(np.array([1], np.uint16)).dtype == tf.uint16, "
                       "tf.uint32 == np.uint32, tf.uint64 == np.uint64)",
}
CASES.update(OTHERS)

IMAGES = {
    "nms": "tf.image.non_max_suppression(boxes, scores, 4)",
    "nms_iou": "tf.image.non_max_suppression(boxes, scores, 6, iou_threshold=0.8)",
    "nms_score": "tf.image.non_max_suppression(boxes, scores, 6, score_threshold=0.55)",
    "nms_flipped": "tf.image.non_max_suppression(tf.gather(boxes, [2, 3, 0, 1], axis=1), "
                   "scores, 3)",
    "nms_with_scores": "tf.image.non_max_suppression_with_scores(boxes, scores, 6)",
    "nms_soft": "tf.image.non_max_suppression_with_scores(boxes, scores, 6, iou_threshold=1.0, "
                "soft_nms_sigma=0.5)",
    "nms_soft_thr": "tf.image.non_max_suppression_with_scores(boxes, scores, 6, iou_threshold=0.6,"
                    " score_threshold=0.2, soft_nms_sigma=0.3)",
    "nms_padded": "tf.image.non_max_suppression_padded(boxes, scores, 6, "
                  "pad_to_max_output_size=True)",
    "nms_overlaps": "tf.image.non_max_suppression_overlaps(tf.constant([[1.0, 0.7, 0.2], "
                    "[0.7, 1.0, 0.0], [0.2, 0.0, 1.0]]), tf.constant([0.9, 0.8, 0.7]), 3, "
                    "overlap_threshold=0.6)",
    "nms_combined": "tf.image.combined_non_max_suppression(tf.reshape(tf.concat([boxes, boxes * "
                    "0.1], 0), [2, 6, 1, 4]), tf.reshape(tf.stack([scores, scores[::-1] * "
                    "0.97], 0), [2, 6, 1]) * tf.constant([1.0, 0.5]), 3, 5)",
    "nms_combined_noclip": "tf.image.combined_non_max_suppression(tf.reshape(boxes * 0.1, "
                           "[1, 6, 1, 4]), tf.reshape(tf.stack([scores, scores * 0.9], 1), "
                           "[1, 6, 2]), 2, 6, iou_threshold=0.3, clip_boxes=False)",
    "crop_and_resize": "tf.image.crop_and_resize(img, [[0.1, 0.2, 0.8, 0.9], [0.0, 0.0, 1.0, 1.0],"
                       " [-0.2, 0.5, 0.6, 1.3]], [1, 0, 1], [4, 3])",
    "crop_and_resize_nearest": "tf.image.crop_and_resize(img, [[0.1, 0.2, 0.8, 0.9], "
                               "[0.3, 0.1, 0.31, 0.75]], [0, 1], [3, 5], method='nearest')",
    "crop_and_resize_extrap": "tf.image.crop_and_resize(img, [[-0.5, -0.5, 1.5, 1.5]], [0], "
                              "[5, 5], extrapolation_value=-1.0)",
    "crop_and_resize_one": "tf.image.crop_and_resize(img, [[0.2, 0.3, 0.6, 0.7]], [1], [1, 1])",
    "crop_and_resize_grad": "grad_of(lambda a: tf.image.crop_and_resize(a, "
                            "[[0.1, 0.2, 0.8, 0.9]], [1], [3, 4]), img)",
    "draw_boxes": "tf.image.draw_bounding_boxes(img, [[[0.1, 0.2, 0.7, 0.9], [0.5, -0.2, 1.3, "
                  "0.4]], [[0.0, 0.0, 1.0, 1.0], [0.6, 0.6, 0.2, 0.2]]], "
                  "[[1.0, 0.0, 0.0, 1.0], [0.0, 0.5, 1.0, 1.0]])",
    "glimpse": "tf.image.extract_glimpse(img, [3, 4], [[0.0, 0.0], [0.5, -0.5]], noise='zero')",
    "glimpse_pixels": "tf.image.extract_glimpse(img, [2, 3], [[1.0, 2.0], [3.0, 4.0]], "
                      "centered=False, normalized=False, noise='zero')",
    "glimpse_outside": "tf.image.extract_glimpse(img, [4, 4], [[0.9, 0.9], [-1.0, -1.0]], "
                       "noise='zero')",
    "resize_with_pad": "tf.image.resize_with_pad(img, 8, 8)",
    "resize_with_pad_tall": "tf.image.resize_with_pad(img[0], 9, 4)",
    "resize_with_pad_nearest": "tf.image.resize_with_pad(img, 6, 10, "
                               "method=tf.image.ResizeMethod.NEAREST_NEIGHBOR)",
    "yiq": "tf.image.rgb_to_yiq(img)",
    "ssim_multiscale": "tf.image.ssim_multiscale(big_a, big_b, 1.0)",
    "ssim_multiscale_3": "tf.image.ssim_multiscale(big_a[0], big_b[0], 1.0, "
                         "power_factors=(0.3, 0.3, 0.4), filter_size=7)",
    "ssim_multiscale_grad": "grad_of(lambda a: tf.image.ssim_multiscale(a, small_b, 1.0, "
                            "power_factors=(0.5, 0.5), filter_size=5), small_a)",
    "yiq_back": "tf.image.yiq_to_rgb(tf.image.rgb_to_yiq(img))",
    # stateless augmentations: TensorFlow's Philox draws, reproduced
    "stateless_brightness": "tf.image.stateless_random_brightness(img, 0.3, seed=[1, 2])",
    "stateless_contrast": "tf.image.stateless_random_contrast(img, 0.2, 1.8, seed=[7, -3])",
    "stateless_saturation": "tf.image.stateless_random_saturation(img, 0.3, 1.7, "
                            "seed=[123456789012, 5])",
    "stateless_hue": "tf.image.stateless_random_hue(img, 0.4, seed=[4, 4])",
    "stateless_flip_lr": "[tf.image.stateless_random_flip_left_right(img, seed=[i, 9]) "
                         "for i in range(4)]",
    "stateless_flip_ud_3d": "[tf.image.stateless_random_flip_up_down(img[0], seed=[i, 2]) "
                            "for i in range(4)]",
    "stateless_crop": "[tf.image.stateless_random_crop(img, [1, 3, 4, 2], seed=[i, 3]) "
                      "for i in range(3)]",
    "sdbb": "[tf.image.stateless_sample_distorted_bounding_box([60, 80, 3], "
            "[[[0.2, 0.3, 0.6, 0.7]]], seed=[i, 2 * i], min_object_covered=c, "
            "aspect_ratio_range=(0.5, 2.0), area_range=(0.1, 0.9)) "
            "for i in range(1, 6) for c in (0.0, 0.5)]",
    "sdbb_defaults": "[tf.image.stateless_sample_distorted_bounding_box([37, 23, 1], "
                     "[[[0.1, 0.1, 0.3, 0.9], [0.5, 0.5, 0.9, 0.6]]], seed=[i, 7]) "
                     "for i in range(6)]",
    "resize_methods": "[tf.image.ResizeMethod.BILINEAR, tf.image.ResizeMethod.NEAREST_NEIGHBOR, "
                      "tf.image.ResizeMethod.AREA, tf.image.ResizeMethod.BICUBIC, "
                      "tf.image.ResizeMethod.LANCZOS3, tf.image.ResizeMethod.GAUSSIAN]",
}
CASES.update(IMAGES)

ERRORS = {
    "parse_wrong_type": "tf.io.parse_tensor(tf.io.serialize_tensor(x), tf.int32)",
    "parse_garbage": "tf.io.parse_tensor(b'\\xff\\xff', tf.int32)",
    "deserialize_type": "tf.io.deserialize_many_sparse(tf.io.serialize_many_sparse(sp3), "
                        "tf.float32)",
    "decode_raw_sizes": "tf.io.decode_raw(['abcd', 'efg'], tf.int16)",
    "decode_raw_multiple": "tf.io.decode_raw(['abc'], tf.int16)",
    "decode_raw_fixed": "tf.io.decode_raw(['abc'], tf.int16, fixed_length=3)",
    "decode_csv_required": "tf.io.decode_csv(['1,2.5', ','], [tf.constant([], tf.int32), [1.0]])",
    "decode_csv_count": "tf.io.decode_csv(['1,2'], [[0], [1.0], ['z']])",
    "decode_csv_int": "tf.io.decode_csv(['x,2'], [[0], [1.0]])",
    "decode_csv_overflow": "tf.io.decode_csv('2147483648', [[0]])",
    "decode_csv_select": "tf.io.decode_csv(['1,2,3'], [[0], [0]], select_cols=[2, 0])",
    "unbase64_char": "tf.io.decode_base64(['+/'])",
    "unbase64_len": "tf.io.decode_base64(['a'])",
    "decompress_bad": "tf.io.decode_compressed(b'hello', 'ZLIB')",
    "json_example_bad": "tf.io.decode_json_example(['{\"features\": 3'])",
    "png_channels": "tf.io.decode_png(tf.io.encode_png(rgb), channels=2)",
    "png_garbage": "tf.io.decode_png(b'\\x89PNG\\r\\n\\x1a\\nxx')",
    "png_truncated": "tf.io.decode_png(tf.io.encode_png(rgb).numpy()[:-20])",
    "bmp_channels": "tf.io.decode_bmp(bmp24, channels=1)",
    "bmp_truncated": "tf.io.decode_bmp(bmp24[:60])",
    "bmp_short": "tf.io.decode_bmp(b'BMxx')",
    "image_unknown": "tf.io.decode_image(b'garbage')",
    "jpeg_shape_bmp": "tf.image.extract_jpeg_shape(bmp24)",
    "jpeg_with_png_op": "tf.io.decode_jpeg(bmp24)",
    "jpeg_channels": "tf.io.decode_jpeg(jpeg, channels=4)",
    "gif_channels": "tf.io.decode_image(gif, channels=1)",
    "sp_add_shapes": "tf.sparse.add(sp, tf.sparse.reset_shape(sp2, [4, 4]))",
    "sp_reshape_bad": "tf.sparse.reshape(sp, [5, -1])",
    "sp_to_dense_repeat": "tf.sparse.to_dense(tf.sparse.SparseTensor([[0, 0], [0, 0]], [1., 2.], "
                          "[2, 2]))",
    "sp_concat_shapes": "tf.sparse.concat(1, [sp, tf.sparse.reset_shape(sp2, [4, 4])])",
    "sp_matmul_shapes": "tf.sparse.sparse_dense_matmul(sp, x)",
    "sp_segment_unsorted": "tf.sparse.segment_sum(x, tf.constant([0, 1]), tf.constant([1, 0]))",
    "switch_case_int": "tf.switch_case(1, [lambda: 10, lambda: 11])",
    "ensure_shape": "tf.ensure_shape(x, [3, 5])",
    "case_none_true": "tf.case([(tf.constant(False), lambda: 1)])",
    "ema_int": "tf.train.ExponentialMovingAverage(0.9).apply([tf.Variable(1)])",
    "ema_tensor": "tf.train.ExponentialMovingAverage(0.9).apply([tf.constant(1.0)])",
    "sparse_feature_counts": "tf.io.parse_single_example(example(ix=('i', [1, 2]), "
                             "val=('f', [1.0])), sparse_spec)",
    "seq_missing": "tf.io.parse_single_sequence_example(seq1, sequence_features="
                   "{'nope': tf.io.FixedLenSequenceFeature([], tf.int64)})",
    "fixed_records_body": "fixed_records(b'0123456789', 3)",
    "seq_default_value": "tf.io.parse_sequence_example([seq1, seq2], sequence_features="
                         "{'f': tf.io.FixedLenSequenceFeature([], tf.float32, "
                         "allow_missing=True, default_value=-1.0)})",
}


def encode(o):
    """A JSON record of an output."""
    if isinstance(o, tf.sparse.SparseTensor):
        return {"sparse": [encode(o.indices), encode(o.values), encode(o.dense_shape)]}
    if isinstance(o, tf.RaggedTensor):
        return {"ragged": [encode(o.flat_values), encode(o.row_splits)]}
    if isinstance(o, tf.IndexedSlices):
        return {"indexed": [encode(o.values), encode(o.indices)]}
    if isinstance(o, dict):
        return {"dict": {k: encode(v) for k, v in sorted(o.items())}}
    if isinstance(o, (list, tuple)):
        return {"list": [encode(v) for v in o]}
    if isinstance(o, bytes):
        return {"bytes": o.hex()}
    if isinstance(o, (tf.Tensor, tf.Variable)):
        a = o.numpy()
    elif isinstance(o, (np.ndarray, np.generic)):
        a = np.asarray(o)
    else:
        return {"python": o}
    a = np.asarray(a, dtype=object) if isinstance(a, bytes) else np.asarray(a)
    if a.dtype == object:
        return {"dtype": "string", "shape": list(a.shape),
                "values": [bytes(v).hex() for v in a.reshape(-1)]}
    vals = a.reshape(-1).tolist()
    if a.dtype.kind == "f":
        vals = [v if np.isfinite(v) else repr(v) for v in vals]
    return {"dtype": str(a.dtype), "shape": list(a.shape), "values": vals}


def main():
    env = dict(INPUTS, tf=tf, np=np)
    exec(SETUP, env)  # noqa: S102 -- the setup above
    INPUTS["seq1_tf"] = env["seq1_tf"] = env["seq1"]  # TensorFlow's bytes, parsed by the test
    cases = {}
    for name, expr in CASES.items():
        cases[name] = {"expr": expr, "out": encode(eval(expr, env))}  # noqa: S307
    errors = {}
    for name, expr in ERRORS.items():
        try:
            eval(expr, env)  # noqa: S307
        except Exception as e:  # noqa: BLE001 -- recording which class TensorFlow raises
            errors[name] = {"expr": expr, "error": type(e).__name__}
        else:
            raise AssertionError(f"{name}: TensorFlow raised nothing for {expr}")
    inputs = {k: ({"bytes": v.hex()} if isinstance(v, bytes) else encode(v))
              for k, v in INPUTS.items()}
    with open(OUT, "w") as f:
        json.dump({"tensorflow": tf.__version__, "inputs": inputs, "cases": cases, "setup": SETUP,
                   "errors": errors}, f, sort_keys=True, separators=(",", ":"))
        f.write("\n")


if __name__ == "__main__":
    main()
