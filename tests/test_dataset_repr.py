"""``repr(dataset)``: tf.data's class name and element_spec, as Keras 2 programs print them
(a batched dataset's batch axis is None unless drop_remainder). Expected strings printed by
tools/gen_dataset_repr_refs.py under tf_keras 2.21's TensorFlow, for the pipelines of
dataset_repr_cases.py."""
import pytest

import tensorforge as tf
from dataset_repr_cases import pipelines

EXPECTED = {
    'slices': '<_TensorSliceDataset element_spec=TensorSpec(shape=(), dtype=tf.int64, name=None)>',
    'tensors': '<_TensorDataset element_spec=TensorSpec(shape=(3,), dtype=tf.float32, name=None)>',
    'gen': '<_FlatMapDataset element_spec=TensorSpec(shape=(), dtype=tf.int32, name=None)>',
    'range': '<_RangeDataset element_spec=TensorSpec(shape=(), dtype=tf.int64, name=None)>',
    'zip': '<_ZipDataset element_spec=((TensorSpec(shape=(2,), dtype=tf.float32, name=None), TensorSpec(shape=(), dtype=tf.int64, name=None)), (TensorSpec(shape=(2,), dtype=tf.float32, name=None), TensorSpec(shape=(), dtype=tf.int64, name=None)))>',
    'batch': '<_BatchDataset element_spec=(TensorSpec(shape=(None, 2), dtype=tf.float32, name=None), TensorSpec(shape=(None,), dtype=tf.int64, name=None))>',
    'batch_drop': '<_BatchDataset element_spec=(TensorSpec(shape=(2, 2), dtype=tf.float32, name=None), TensorSpec(shape=(2,), dtype=tf.int64, name=None))>',
    'batch_parallel': '<_ParallelBatchDataset element_spec=(TensorSpec(shape=(None, 2), dtype=tf.float32, name=None), TensorSpec(shape=(None,), dtype=tf.int64, name=None))>',
    'padded_batch': '<_PaddedBatchDataset element_spec=TensorSpec(shape=(None, None), dtype=tf.int64, name=None)>',
    'padded_batch_shapes': '<_PaddedBatchDataset element_spec=TensorSpec(shape=(2, 10), dtype=tf.int64, name=None)>',
    'padded_batch_static': '<_PaddedBatchDataset element_spec=(TensorSpec(shape=(None, 2), dtype=tf.float32, name=None), TensorSpec(shape=(None,), dtype=tf.int64, name=None))>',
    'padded_batch_tuple_shapes': '<_PaddedBatchDataset element_spec=(TensorSpec(shape=(None, 5), dtype=tf.float32, name=None), TensorSpec(shape=(None,), dtype=tf.int64, name=None))>',
    'unbatch': '<_UnbatchDataset element_spec=(TensorSpec(shape=(2,), dtype=tf.float32, name=None), TensorSpec(shape=(), dtype=tf.int64, name=None))>',
    'enumerate': '<_ZipDataset element_spec=(TensorSpec(shape=(), dtype=tf.int64, name=None), (TensorSpec(shape=(2,), dtype=tf.float32, name=None), TensorSpec(shape=(), dtype=tf.int64, name=None)))>',
    'shuffle': '<_ShuffleDataset element_spec=(TensorSpec(shape=(2,), dtype=tf.float32, name=None), TensorSpec(shape=(), dtype=tf.int64, name=None))>',
    'take': '<_TakeDataset element_spec=(TensorSpec(shape=(2,), dtype=tf.float32, name=None), TensorSpec(shape=(), dtype=tf.int64, name=None))>',
    'skip': '<_SkipDataset element_spec=(TensorSpec(shape=(2,), dtype=tf.float32, name=None), TensorSpec(shape=(), dtype=tf.int64, name=None))>',
    'filter': '<_FilterDataset element_spec=(TensorSpec(shape=(2,), dtype=tf.float32, name=None), TensorSpec(shape=(), dtype=tf.int64, name=None))>',
    'repeat': '<_RepeatDataset element_spec=(TensorSpec(shape=(2,), dtype=tf.float32, name=None), TensorSpec(shape=(), dtype=tf.int64, name=None))>',
    'concatenate': '<_ConcatenateDataset element_spec=(TensorSpec(shape=(2,), dtype=tf.float32, name=None), TensorSpec(shape=(), dtype=tf.int64, name=None))>',
    'prefetch': '<_PrefetchDataset element_spec=(TensorSpec(shape=(2,), dtype=tf.float32, name=None), TensorSpec(shape=(), dtype=tf.int64, name=None))>',
    'cache': '<CacheDataset element_spec=(TensorSpec(shape=(2,), dtype=tf.float32, name=None), TensorSpec(shape=(), dtype=tf.int64, name=None))>',
    'options': '<_OptionsDataset element_spec=(TensorSpec(shape=(2,), dtype=tf.float32, name=None), TensorSpec(shape=(), dtype=tf.int64, name=None))>',
    'flat_map': '<_FlatMapDataset element_spec=TensorSpec(shape=(2,), dtype=tf.float32, name=None)>',
    'interleave': '<_InterleaveDataset element_spec=TensorSpec(shape=(2,), dtype=tf.float32, name=None)>',
    'map': '<_MapDataset element_spec=(TensorSpec(shape=(2,), dtype=tf.float32, name=None), TensorSpec(shape=(), dtype=tf.int64, name=None))>',
    'map_parallel': '<_ParallelMapDataset element_spec=TensorSpec(shape=(2,), dtype=tf.float32, name=None)>',
    'window': '<_WindowDataset element_spec=(DatasetSpec(TensorSpec(shape=(2,), dtype=tf.float32, name=None), TensorShape([])), DatasetSpec(TensorSpec(shape=(), dtype=tf.int64, name=None), TensorShape([])))>',
    'text': '<TextLineDatasetV2 element_spec=TensorSpec(shape=(), dtype=tf.string, name=None)>',
    'dict_batch': "<_BatchDataset element_spec={'a': TensorSpec(shape=(None, 2), dtype=tf.int32, name=None), 'b': TensorSpec(shape=(None,), dtype=tf.float32, name=None)}>",
}


def test_every_pipeline_is_covered(tmp_path):
    assert set(pipelines(tf, str(tmp_path / "l.txt"))) == set(EXPECTED)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_repr_matches_tensorflow(name, tmp_path):
    path = tmp_path / "lines.txt"
    path.write_text("one line\n")
    assert repr(pipelines(tf, str(path))[name]) == EXPECTED[name]
