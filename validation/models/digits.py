"""The NeuroCoreX paper's digits task as a script (see pyNN.neurox.validation.digits):
STDP training on the software target, then the test set on this run's target;
prints the test accuracy."""

import pyNN.neurox as sim
from pyNN.neurox.validation import digits
from pyNN.neurox.validation.capture import record_task

train_images, test_images, train_labels, test_labels = digits.load()
weights = digits.train(sim, train_images, train_labels)
outputs = digits.predict(sim, weights, test_images)
predicted = digits.predictions(outputs, len(test_images))
record_task(test_labels, predicted)
print(f"test accuracy {(predicted == test_labels).mean():.2%} "
      f"on {len(test_labels)} images")
sim.end()
