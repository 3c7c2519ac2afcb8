"""The plots: parameter space, loss curve, data. Each redraws from History slices when the model says so."""
