#!/usr/bin/python3
"""Write Keras saved-model fixtures by hand (h5py + numpy only, no TensorFlow) for the loader tests.

Run with Debian's python3 (`/usr/bin/python3`, packages python3-h5py and python3-numpy):

    /usr/bin/python3 scripts/make-keras-fixtures.py OUT_DIR
    KERAS_PYTHON scripts/make-keras-fixtures.py --real-keras OUT_DIR   # needs keras 3 installed

The files follow the layouts Keras itself writes (keras/src/legacy/saving/legacy_h5_format.py,
tf_keras/src/saving/legacy/hdf5_format.py and keras/src/saving/saving_lib.py):
  - legacy .h5: root attributes `model_config`, `keras_version`, `backend`; group `model_weights`
    with `layer_names` (split into `layer_names0`, `layer_names1`… when long), one group per layer
    with a `weight_names` attribute and datasets at `<layer>/<weight name>`;
  - Keras 3 .keras: a zip of `metadata.json`, `config.json` and `model.weights.h5`, whose variables
    live at `layers/<snake_case class>[_n]/vars/<i>`.
Weights are numpy-random; a numpy forward pass of the same weights on fixed random inputs is saved
next to each model as `<name>.expected.json`, so the TypeScript loader can be checked end to end.
"""

import io
import json
import os
import sys
import zipfile

import h5py
import numpy as np

RNG = np.random.default_rng(20151123)
INPUT_SHAPE = (12, 12, 1)
BATCH = 5


# ---------------------------------------------------------------- numpy forward pass (channels-last)

def conv2d_valid(x, kernel, bias):
    n, h, w, _ = x.shape
    kh, kw, _, cout = kernel.shape
    out = np.zeros((n, h - kh + 1, w - kw + 1, cout), dtype=np.float64)
    for i in range(kh):
        for j in range(kw):
            patch = x[:, i:i + out.shape[1], j:j + out.shape[2], :]
            out += np.tensordot(patch, kernel[i, j], axes=([3], [0]))
    return out + bias


def max_pool_2x2(x):
    n, h, w, c = x.shape
    h2, w2 = h // 2, w // 2
    x = x[:, :h2 * 2, :w2 * 2, :].reshape(n, h2, 2, w2, 2, c)
    return x.max(axis=(2, 4))


def relu(x):
    return np.maximum(x, 0)


def leaky_relu(x, slope):
    return np.where(x > 0, x, slope * x)


def swish(x):
    return x / (1 + np.exp(-x))


def softmax(x):
    e = np.exp(x - x.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


def batch_norm(x, gamma, beta, mean, var, eps):
    return gamma * (x - mean) / np.sqrt(var + eps) + beta


# ---------------------------------------------------------------- weights

def rand(*shape, scale=0.5):
    return (RNG.standard_normal(shape) * scale).astype(np.float32)


def cnn_weights():
    return {
        'conv2d': [rand(3, 3, 1, 4), rand(4, scale=0.1)],
        'dense': [rand(100, 8, scale=0.2), rand(8, scale=0.1)],
        'dense_1': [rand(8, 3), rand(3, scale=0.1)],
    }


def cnn_forward(w, x):
    y = relu(conv2d_valid(x, *w['conv2d']))
    y = max_pool_2x2(y).reshape(x.shape[0], -1)
    y = relu(y @ w['dense'][0] + w['dense'][1])
    return softmax(y @ w['dense_1'][0] + w['dense_1'][1])


def bn_vars(channels):
    return [
        (1 + rand(channels, scale=0.2)).astype(np.float32),
        rand(channels, scale=0.2),
        rand(channels, scale=0.3),
        (0.5 + RNG.random(channels)).astype(np.float32),
    ]


def cnn_bn_weights():
    w = cnn_weights()
    w['batch_normalization'] = bn_vars(4)
    return w


def cnn_bn_forward(w, x):
    y = conv2d_valid(x, *w['conv2d'])
    y = relu(batch_norm(y, *w['batch_normalization'], 1e-3))
    y = max_pool_2x2(y).reshape(x.shape[0], -1)
    y = relu(y @ w['dense'][0] + w['dense'][1])
    return softmax(y @ w['dense_1'][0] + w['dense_1'][1])


def functional_weights():
    return {
        'conv2d': [rand(3, 3, 1, 4), rand(4, scale=0.1)],
        'batch_normalization': bn_vars(4),
        'dense': [rand(100, 8, scale=0.2), rand(8, scale=0.1)],
        'dense_1': [rand(100, 8, scale=0.2), rand(8, scale=0.1)],
        'dense_2': [rand(8, 3), rand(3, scale=0.1)],
    }


def functional_forward(w, x):
    y = conv2d_valid(x, *w['conv2d'])
    y = batch_norm(y, *w['batch_normalization'], 1e-3)
    y = leaky_relu(y, 0.2)
    y = max_pool_2x2(y).reshape(x.shape[0], -1)
    a = swish(y @ w['dense'][0] + w['dense'][1])
    b = y @ w['dense_1'][0] + w['dense_1'][1]
    return softmax((a + b) @ w['dense_2'][0] + w['dense_2'][1])


# ---------------------------------------------------------------- configs

def init(name, **config):
    return {'class_name': name, 'config': config}


def tf_keras_conv(name, activation, batch_input_shape=None):
    config = {
        'name': name, 'trainable': True, 'dtype': 'float32', 'filters': 4, 'kernel_size': [3, 3],
        'strides': [1, 1], 'padding': 'valid', 'data_format': 'channels_last',
        'dilation_rate': [1, 1], 'activation': activation, 'use_bias': True,
        'kernel_initializer': init('GlorotUniform', seed=None),
        'bias_initializer': init('Zeros'), 'kernel_regularizer': None, 'bias_regularizer': None,
        'activity_regularizer': None, 'kernel_constraint': None, 'bias_constraint': None,
    }
    if batch_input_shape is not None:
        config['batch_input_shape'] = batch_input_shape
    return {'class_name': 'Conv2D', 'config': config}


def tf_keras_dense(name, units, activation):
    return {'class_name': 'Dense', 'config': {
        'name': name, 'trainable': True, 'dtype': 'float32', 'units': units,
        'activation': activation, 'use_bias': True,
        'kernel_initializer': init('GlorotUniform', seed=None), 'bias_initializer': init('Zeros'),
        'kernel_regularizer': None, 'bias_regularizer': None, 'activity_regularizer': None,
        'kernel_constraint': None, 'bias_constraint': None}}


def tf_keras_pool():
    return {'class_name': 'MaxPooling2D', 'config': {
        'name': 'max_pooling2d', 'trainable': True, 'dtype': 'float32', 'pool_size': [2, 2],
        'padding': 'valid', 'strides': [2, 2], 'data_format': 'channels_last'}}


def tf_keras_flatten():
    return {'class_name': 'Flatten', 'config': {
        'name': 'flatten', 'trainable': True, 'dtype': 'float32', 'data_format': 'channels_last'}}


def keras2_list_config():
    """Keras 2.1-era Sequential: `config` is the bare layer list, the input shape rides on layer 1."""
    return {'class_name': 'Sequential', 'config': [
        tf_keras_conv('conv2d', 'relu', [None, *INPUT_SHAPE]), tf_keras_pool(), tf_keras_flatten(),
        tf_keras_dense('dense', 8, 'relu'), tf_keras_dense('dense_1', 3, 'softmax')]}


def tf_keras2_bn_config():
    """tf.keras 2.x Sequential: `{name, layers}` with an explicit InputLayer and BatchNormalization."""
    bn = {'class_name': 'BatchNormalization', 'config': {
        'name': 'batch_normalization', 'trainable': True, 'dtype': 'float32', 'axis': [3],
        'momentum': 0.99, 'epsilon': 0.001, 'center': True, 'scale': True,
        'beta_initializer': init('Zeros'), 'gamma_initializer': init('Ones'),
        'moving_mean_initializer': init('Zeros'), 'moving_variance_initializer': init('Ones'),
        'beta_regularizer': None, 'gamma_regularizer': None, 'beta_constraint': None,
        'gamma_constraint': None}}
    act = {'class_name': 'Activation', 'config': {
        'name': 'activation', 'trainable': True, 'dtype': 'float32', 'activation': 'relu'}}
    reg = tf_keras_dense('dense', 8, 'relu')
    reg['config']['kernel_regularizer'] = init('L2', l2=0.001)
    return {'class_name': 'Sequential', 'config': {'name': 'sequential', 'layers': [
        {'class_name': 'InputLayer', 'config': {
            'batch_input_shape': [None, *INPUT_SHAPE], 'dtype': 'float32', 'sparse': False,
            'ragged': False, 'name': 'conv2d_input'}},
        tf_keras_conv('conv2d', 'linear'), bn, act, tf_keras_pool(), tf_keras_flatten(), reg,
        tf_keras_dense('dense_1', 3, 'softmax')]}}


def k3_obj(module, class_name, config, **extra):
    return {'module': module, 'class_name': class_name, 'config': config, 'registered_name': None,
            **extra}


def k3_policy():
    return k3_obj('keras', 'DTypePolicy', {'name': 'float32'})


def k3_init(class_name, **config):
    return k3_obj('keras.initializers', class_name, config)


def k3_layer(class_name, name, input_shape=None, **config):
    entry = k3_obj('keras.layers', class_name,
                   {'name': name, 'trainable': True, 'dtype': k3_policy(), **config})
    if input_shape is not None:
        entry['build_config'] = {'input_shape': input_shape}
    return entry


def k3_conv(name, activation, input_shape, **extra):
    return k3_layer('Conv2D', name, input_shape, filters=4, kernel_size=[3, 3], strides=[1, 1],
                    padding='valid', data_format='channels_last', dilation_rate=[1, 1], groups=1,
                    activation=activation, use_bias=True,
                    kernel_initializer=k3_init('GlorotUniform', seed=None),
                    bias_initializer=k3_init('Zeros'), kernel_regularizer=None,
                    bias_regularizer=None, activity_regularizer=None, kernel_constraint=None,
                    bias_constraint=None, **extra)


def k3_dense(name, units, activation, input_shape, **extra):
    config = dict(units=units, activation=activation, use_bias=True,
                  kernel_initializer=k3_init('GlorotUniform', seed=None),
                  bias_initializer=k3_init('Zeros'), kernel_regularizer=None,
                  bias_regularizer=None, kernel_constraint=None, bias_constraint=None,
                  quantization_config=None)
    config.update(extra)
    return k3_layer('Dense', name, input_shape, **config)


def k3_pool(input_shape):
    return k3_layer('MaxPooling2D', 'max_pooling2d', input_shape, pool_size=[2, 2],
                    padding='valid', strides=[2, 2], data_format='channels_last')


def k3_flatten(input_shape):
    return k3_layer('Flatten', 'flatten', input_shape, data_format='channels_last')


def k3_input(name):
    return k3_obj('keras.layers', 'InputLayer', {
        'batch_shape': [None, *INPUT_SHAPE], 'dtype': 'float32', 'sparse': False,
        'ragged': False, 'name': name, 'optional': False})


def k3_compile_config():
    return {'optimizer': k3_obj('keras.optimizers', 'Adam', {
        'name': 'adam', 'learning_rate': 0.001, 'weight_decay': None, 'clipnorm': None,
        'global_clipnorm': None, 'clipvalue': None, 'use_ema': False, 'ema_momentum': 0.99,
        'ema_overwrite_frequency': None, 'loss_scale_factor': None,
        'gradient_accumulation_steps': None, 'beta_1': 0.9, 'beta_2': 0.999, 'epsilon': 1e-07,
        'amsgrad': False}), 'loss': 'categorical_crossentropy', 'loss_weights': None,
        'metrics': ['accuracy'], 'weighted_metrics': None, 'run_eagerly': False,
        'steps_per_execution': 1, 'jit_compile': False}


def k3_sequential_config(layers):
    return k3_obj('keras', 'Sequential', {
        'name': 'sequential', 'trainable': True, 'dtype': k3_policy(),
        'layers': layers}, build_config={'input_shape': [None, *INPUT_SHAPE]},
        compile_config=k3_compile_config())


def k3_cnn_layers(conv_extra=None, dense_extra=None):
    conv_extra = conv_extra or {}
    dense_extra = dense_extra or {}
    return [
        k3_input('input_layer'),
        k3_conv('conv2d', 'relu', [None, *INPUT_SHAPE], **conv_extra),
        k3_pool([None, 10, 10, 4]), k3_flatten([None, 5, 5, 4]),
        k3_dense('dense', 8, 'relu', [None, 100], **dense_extra),
        k3_dense('dense_1', 3, 'softmax', [None, 8])]


def k3_tensor(shape, source):
    return {'class_name': '__keras_tensor__',
            'config': {'shape': shape, 'dtype': 'float32', 'keras_history': [source, 0, 0]}}


def k3_node(*tensors, shape):
    args = [k3_tensor(shape, t) for t in tensors]
    return {'args': args if len(args) == 1 else [args], 'kwargs': {}}


def k3_functional_config():
    def wire(entry, *sources, shape):
        entry['name'] = entry['config']['name']
        entry['inbound_nodes'] = [k3_node(*sources, shape=shape)] if sources else []
        return entry

    conv = k3_conv('conv2d', 'linear', [None, *INPUT_SHAPE])
    conv['config']['kernel_initializer'] = k3_init('LecunNormal', seed=None)
    bn = k3_layer('BatchNormalization', 'batch_normalization', [None, 10, 10, 4], axis=-1,
                  momentum=0.99, epsilon=0.001, center=True, scale=True,
                  beta_initializer=k3_init('Zeros'), gamma_initializer=k3_init('Ones'),
                  moving_mean_initializer=k3_init('Zeros'),
                  moving_variance_initializer=k3_init('Ones'), beta_regularizer=None,
                  gamma_regularizer=None, beta_constraint=None, gamma_constraint=None,
                  synchronized=False)
    leaky = k3_layer('LeakyReLU', 'leaky_re_lu', [None, 10, 10, 4], negative_slope=0.2)
    dense = k3_dense('dense', 8, 'silu', [None, 100],
                     kernel_regularizer=k3_obj('keras.regularizers', 'L2', {'l2': 0.001}))
    dense_1 = k3_dense('dense_1', 8, 'linear', [None, 100])
    add = k3_layer('Add', 'add', [[None, 8], [None, 8]])
    dense_2 = k3_dense('dense_2', 3, 'softmax', [None, 8])
    layers = [
        wire(k3_input('input_layer'), shape=None),
        wire(conv, 'input_layer', shape=[None, *INPUT_SHAPE]),
        wire(bn, 'conv2d', shape=[None, 10, 10, 4]),
        wire(leaky, 'batch_normalization', shape=[None, 10, 10, 4]),
        wire(k3_pool([None, 10, 10, 4]), 'leaky_re_lu', shape=[None, 10, 10, 4]),
        wire(k3_flatten([None, 5, 5, 4]), 'max_pooling2d', shape=[None, 5, 5, 4]),
        wire(dense, 'flatten', shape=[None, 100]),
        wire(dense_1, 'flatten', shape=[None, 100]),
        # Inputs listed against creation order, so TF.js' layer order differs from the config's.
        wire(add, 'dense_1', 'dense', shape=[None, 8]),
        wire(dense_2, 'add', shape=[None, 8]),
    ]
    # Keras 3.0-3.3 wrote a single input/output as a bare triple; later versions nest it.
    return k3_obj('keras.src.models.functional', 'Functional', {
        'name': 'functional', 'trainable': True, 'layers': layers,
        'input_layers': ['input_layer', 0, 0], 'output_layers': [['dense_2', 0, 0]]},
        build_config={'input_shape': None}, compile_config=k3_compile_config())


# ---------------------------------------------------------------- writers

def fixed(s):
    """An h5py-2-style fixed-length byte string (what `attrs[k] = b'...'` wrote then)."""
    return np.bytes_(s.encode('utf8') if isinstance(s, str) else s)


def write_legacy_h5(path, config, layer_order, weights, weight_kinds, keras_version,
                    split_layer_names=True, vlen=False):
    """Write the tf.keras `model.save('x.h5')` layout by hand."""
    with h5py.File(path, 'w') as f:
        text = json.dumps(config)
        f.attrs['model_config'] = text if vlen else fixed(text)
        f.attrs['keras_version'] = fixed(keras_version)
        f.attrs['backend'] = fixed('tensorflow')
        f.attrs['training_config'] = fixed(json.dumps({'loss': 'categorical_crossentropy'}))
        mw = f.create_group('model_weights')
        names = np.array([n.encode('utf8') for n in layer_order])
        if split_layer_names:
            # Keras splits an attribute over HDF5's 64 KiB header limit into name0, name1, ...
            half = (len(names) + 1) // 2
            mw.attrs['layer_names0'] = names[:half]
            mw.attrs['layer_names1'] = names[half:]
        else:
            mw.attrs['layer_names'] = names
        mw.attrs['backend'] = fixed('tensorflow')
        mw.attrs['keras_version'] = fixed(keras_version)
        for layer in sorted(layer_order):
            g = mw.create_group(layer)
            values = weights.get(layer, [])
            kinds = weight_kinds.get(layer, [])
            weight_names = [f'{layer}/{k}:0'.encode('utf8') for k in kinds]
            # A layer without weights stores an empty float array, as np.asarray([]) did.
            g.attrs['weight_names'] = np.array(weight_names) if weight_names else np.array([])
            for wname, value in zip(weight_names, values):
                g.create_dataset(wname.decode('utf8'), data=value)
        opt = f.create_group('optimizer_weights')
        opt.attrs['weight_names'] = np.array([b'Adam/iterations:0'])
        opt.create_dataset('Adam/iterations:0', data=np.int64(7))


def keras3_weights_h5(layer_paths, weights):
    buf = io.BytesIO()
    with h5py.File(buf, 'w') as f:
        f.create_group('vars')
        layers = f.create_group('layers')
        for path, name in layer_paths:
            vars_group = layers.create_group(path).create_group('vars')
            for i, value in enumerate(weights.get(name, [])):
                vars_group.create_dataset(str(i), data=value)
        opt = f.create_group('optimizer').create_group('vars')
        opt.create_dataset('0', data=np.int64(7))
    return buf.getvalue()


def write_keras3(path, config, weights_h5, include_weights=True):
    with zipfile.ZipFile(path, 'w') as zf:
        zf.writestr('metadata.json', json.dumps(
            {'keras_version': '3.15.1', 'date_saved': '2026-11-23@11:00:00'}))
        zf.writestr('config.json', json.dumps(config))
        if include_weights:
            zf.writestr('model.weights.h5', weights_h5)


def write_expected(path, forward, weights, seed):
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((BATCH, *INPUT_SHAPE)).astype(np.float32)
    y = forward(weights, x.astype(np.float64))
    with open(path, 'w') as fh:
        json.dump({'inputShape': list(x.shape), 'inputs': x.ravel().tolist(),
                   'outputShape': list(y.shape), 'outputs': y.ravel().tolist()}, fh)


CNN_KINDS = {'conv2d': ['kernel', 'bias'], 'dense': ['kernel', 'bias'],
             'dense_1': ['kernel', 'bias']}
CNN_LAYERS = ['conv2d', 'max_pooling2d', 'flatten', 'dense', 'dense_1']
CNN_PATHS = [('conv2d', 'conv2d'), ('max_pooling2d', 'max_pooling2d'), ('flatten', 'flatten'),
             ('dense', 'dense'), ('dense_1', 'dense_1')]
FUNCTIONAL_PATHS = [
    ('input_layer', 'input_layer'), ('conv2d', 'conv2d'),
    ('batch_normalization', 'batch_normalization'), ('leaky_re_lu', 'leaky_re_lu'),
    ('max_pooling2d', 'max_pooling2d'), ('flatten', 'flatten'), ('dense', 'dense'),
    ('dense_1', 'dense_1'), ('add', 'add'), ('dense_2', 'dense_2')]


def main(out):
    os.makedirs(out, exist_ok=True)
    p = lambda name: os.path.join(out, name)  # noqa: E731

    # (a) legacy h5, Keras 2.1 era: fixed-length strings, split layer_names, list config.
    w = cnn_weights()
    write_legacy_h5(p('legacy_cnn.h5'), keras2_list_config(), CNN_LAYERS, w, CNN_KINDS, '2.1.6')
    write_expected(p('legacy_cnn.expected.json'), cnn_forward, w, 1)

    # (a') legacy h5, tf.keras 2.x: variable-length config string, InputLayer, BatchNormalization.
    w = cnn_bn_weights()
    kinds = dict(CNN_KINDS, batch_normalization=['gamma', 'beta', 'moving_mean',
                                                 'moving_variance'])
    order = ['conv2d', 'batch_normalization', 'activation', 'max_pooling2d', 'flatten', 'dense',
             'dense_1']
    write_legacy_h5(p('tfkeras_bn.h5'), tf_keras2_bn_config(), order, w, kinds, '2.15.0',
                    split_layer_names=False, vlen=True)
    write_expected(p('tfkeras_bn.expected.json'), cnn_bn_forward, w, 2)

    # (b) Keras 3 .keras Sequential.
    w = cnn_weights()
    write_keras3(p('k3_sequential.keras'), k3_sequential_config(k3_cnn_layers()),
                 keras3_weights_h5(CNN_PATHS, w))
    write_expected(p('k3_sequential.expected.json'), cnn_forward, w, 3)

    # (c) Keras 3 .keras Functional: LeakyReLU(negative_slope), BatchNormalization, silu, Add.
    w = functional_weights()
    write_keras3(p('k3_functional.keras'), k3_functional_config(),
                 keras3_weights_h5(FUNCTIONAL_PATHS, w))
    write_expected(p('k3_functional.expected.json'), functional_forward, w, 4)

    # (d) corrupt and unsupported variants.
    weights_h5 = keras3_weights_h5(CNN_PATHS, cnn_weights())
    good = open(p('k3_sequential.keras'), 'rb').read()
    open(p('truncated.keras'), 'wb').write(good[:len(good) // 2])
    open(p('garbage.h5'), 'wb').write(b'\x89HDF\r\n\x1a\n' + bytes(RNG.integers(0, 256, 2000,
                                                                             dtype=np.uint8)))
    # A SavedModel's saved_model.pb is a protobuf: field 1 (schema version) then meta graphs.
    open(p('saved_model.pb'), 'wb').write(b'\x08\x01\x12\x04\x0a\x02\x08\x01')
    write_keras3(p('no_weights.keras'), k3_sequential_config(k3_cnn_layers()), b'',
                 include_weights=False)
    with h5py.File(p('weights_only.h5'), 'w') as f:  # tf.keras model.save_weights('w.h5')
        f.attrs['layer_names'] = np.array([n.encode() for n in CNN_LAYERS])
        f.attrs['keras_version'] = fixed('2.15.0')
        f.attrs['backend'] = fixed('tensorflow')
        for layer in CNN_LAYERS:
            f.create_group(layer).attrs['weight_names'] = np.array([])
    open(p('model.weights.h5'), 'wb').write(weights_h5)  # Keras 3 model.save_weights(...)

    lam = k3_cnn_layers()
    lam.insert(1, k3_obj('keras.layers', 'Lambda', {
        'name': 'lambda', 'trainable': True, 'dtype': k3_policy(),
        'function': {'class_name': '__lambda__', 'config': {'code': '4wEAAAAA', 'defaults': None,
                                                            'closure': None}},
        'arguments': {}, 'output_shape': None}))
    write_keras3(p('lambda.keras'), k3_sequential_config(lam), weights_h5)

    custom = k3_cnn_layers()
    custom[4] = {'module': None, 'class_name': 'MyDense', 'config': custom[4]['config'],
                 'registered_name': 'Custom>MyDense'}
    write_keras3(p('custom_layer.keras'), k3_sequential_config(custom), weights_h5)

    write_keras3(p('subclassed.keras'), k3_obj('__main__', 'MyModel', {
        'name': 'my_model', 'trainable': True, 'dtype': k3_policy()}), weights_h5)

    quant = k3_cnn_layers()
    quant[4]['config']['dtype'] = k3_obj('keras', 'QuantizedDTypePolicy', {
        'name': 'int8_from_float32', 'source_name': 'float32'})
    write_keras3(p('quantized.keras'), k3_sequential_config(quant), weights_h5)

    write_keras3(p('lora.keras'), k3_sequential_config(
        k3_cnn_layers(dense_extra={'lora_rank': 4, 'lora_alpha': 4})), weights_h5)

    grouped = k3_cnn_layers()
    grouped[1]['config']['groups'] = 2
    write_keras3(p('grouped_conv.keras'), k3_sequential_config(grouped), weights_h5)

    print(f'wrote fixtures to {out}')


def real_keras(out):
    """With a real Keras 3 (any backend: KERAS_BACKEND picks it): save the same kinds of models
    as `model.save()` writes them, with Keras' own predictions as the expected outputs."""
    os.environ.setdefault('TF_CPP_MIN_LOG_LEVEL', '3')
    import keras
    from keras import layers

    os.makedirs(out, exist_ok=True)
    keras.utils.set_random_seed(7)
    x = np.random.default_rng(5).standard_normal((BATCH, *INPUT_SHAPE)).astype(np.float32)

    def save(model, name, ext):
        # Random non-trivial BatchNormalization statistics, so inference mode is really tested.
        for layer in model.layers:
            if isinstance(layer, layers.BatchNormalization):
                layer.moving_mean.assign(rand(*layer.moving_mean.shape, scale=0.3))
                layer.moving_variance.assign(0.5 + RNG.random(layer.moving_variance.shape)
                                             .astype(np.float32))
        path = os.path.join(out, f'{name}{ext}')
        model.save(path)
        y = np.asarray(model.predict(x, verbose=0), dtype=np.float64)
        with open(os.path.join(out, f'{name}.expected.json'), 'w') as fh:
            json.dump({'inputShape': list(x.shape), 'inputs': x.ravel().tolist(),
                       'outputShape': list(y.shape), 'outputs': y.ravel().tolist()}, fh)

    def sequential():
        return keras.Sequential([
            keras.Input(INPUT_SHAPE), layers.Conv2D(4, 3, activation='relu'),
            layers.MaxPooling2D(), layers.Flatten(), layers.Dense(8, activation='elu'),
            layers.Dense(3, activation='softmax')])

    def functional():
        inp = keras.Input(INPUT_SHAPE)
        y = layers.Conv2D(4, 3, kernel_initializer='lecun_normal')(inp)
        y = layers.BatchNormalization()(y)
        y = layers.LeakyReLU(negative_slope=0.2)(y)
        y = layers.MaxPooling2D()(y)
        y = layers.Flatten()(y)
        a = layers.Dense(8, activation='silu',
                         kernel_regularizer=keras.regularizers.L2(1e-3))(y)
        b = layers.Dense(8)(y)
        out = layers.Dense(3, activation='softmax')(layers.Add()([a, b]))
        return keras.Model(inp, out)

    save(sequential(), 'real_sequential', '.keras')
    save(functional(), 'real_functional', '.keras')
    save(sequential(), 'real_sequential_h5', '.h5')
    save(functional(), 'real_functional_h5', '.h5')
    print(f'wrote real Keras {keras.__version__} fixtures to {out}')


if __name__ == '__main__':
    args = sys.argv[1:]
    if args and args[0] == '--real-keras':
        real_keras(args[1] if len(args) > 1 else 'test/fixtures/generated/real-keras')
    else:
        main(args[0] if args else 'test/fixtures/generated/keras')
