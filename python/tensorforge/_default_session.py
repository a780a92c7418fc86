"""TensorFlow 1's default session: the sessions entered (``with tf.compat.v1.Session() as
sess:``), innermost last. Its own module, importing nothing, so that ``Tensor.eval``
(autograd.py) and tf_session.py share it without importing each other."""

STACK = []


def get():
    """The innermost session entered, or None."""
    return STACK[-1] if STACK else None


def eval_tensor(tensor, feed_dict=None, session=None):
    """TensorFlow 1's ``tensor.eval()`` / ``variable.eval()`` (Raschka ch. 14 prints
    ``z.eval()`` inside ``with tf.compat.v1.Session(graph=g) as sess:``): ``session.run`` of it
    in the given or the default session; outside one, TensorFlow 1's error."""
    sess = session if session is not None else get()
    if sess is None:
        raise ValueError("Cannot evaluate tensor using `eval()`: No default session is "
                         "registered. Use `with sess.as_default()` or pass an explicit session "
                         "to `eval(session=sess)`")
    return sess.run(tensor, feed_dict=feed_dict)
