"""Update rules beyond the first eleven, each module contributing rows to the one optimizer registry
(:data:`gd_core.optimizers.OPTIMIZERS`): :mod:`.torch_extra` (torch.optim's RAdam, Rprop, ASGD, Adafactor, LBFGS
and Muon), :mod:`.classical` (Newton, Polyak, nonlinear conjugate gradients and the Armijo line search of plain
gradient descent), and :mod:`.line_search` (the strong-Wolfe search LBFGS and CG share)."""
