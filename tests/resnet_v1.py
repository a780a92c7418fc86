"""The ResNet v1 of keras-team's cifar10_resnet example (Keras 2), on either library: one
builder shared by tests/test_keras_resnet_parity.py and the tools that compare it with tf_keras
(tools/gen_keras_resnet_refs.py, tools/keras_resnet_identical.py), so both sides are always
built by the same code. ``K`` is the keras module (tensorforge.keras or tf_keras); depth 6n + 2;
layers named in creation order."""


def resnet_v1(K, n=1, input_shape=(16, 16, 3), pool=4, num_filters=4, num_classes=10):
    """Returns (model, {conv name: the BatchNormalization after it})."""
    L = K.layers
    count, pre_bn = {}, {}

    def name(kind):
        count[kind] = count.get(kind, -1) + 1
        return f"{kind}_{count[kind]}"

    def resnet_layer(inputs, num_filters, kernel_size=3, strides=1, activation="relu",
                     batch_normalization=True):
        x = L.Conv2D(num_filters, kernel_size=kernel_size, strides=strides, padding="same",
                     kernel_initializer="he_normal", kernel_regularizer=K.regularizers.l2(1e-4),
                     name=name("conv"))(inputs)
        if batch_normalization:
            pre_bn[f"conv_{count['conv']}"] = name("bn")
            x = L.BatchNormalization(name=pre_bn[f"conv_{count['conv']}"])(x)
        if activation is not None:
            x = L.Activation(activation, name=name("act"))(x)
        return x

    inputs = L.Input(shape=input_shape, name="input")
    x = resnet_layer(inputs, num_filters)
    for stack in range(3):
        for res_block in range(n):
            strides = 2 if stack > 0 and res_block == 0 else 1
            y = resnet_layer(x, num_filters=num_filters, strides=strides)
            y = resnet_layer(y, num_filters=num_filters, activation=None)
            if stack > 0 and res_block == 0:
                x = resnet_layer(x, num_filters=num_filters, kernel_size=1, strides=strides,
                                 activation=None, batch_normalization=False)
            x = L.add([x, y], name=name("add"))
            x = L.Activation("relu", name=name("act"))(x)
        num_filters *= 2
    x = L.AveragePooling2D(pool_size=pool, name="pool")(x)
    y = L.Flatten(name="flatten")(x)
    outputs = L.Dense(num_classes, activation="softmax", kernel_initializer="he_normal",
                      name="dense")(y)
    return K.models.Model(inputs=inputs, outputs=outputs), pre_bn
