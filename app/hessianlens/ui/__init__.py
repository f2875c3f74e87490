"""Qt views of Hessian Lens: they draw the session and dispatch user actions."""
