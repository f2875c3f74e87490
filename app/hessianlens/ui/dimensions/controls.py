"""The Dimensions tab's controls: problem, condition number, range of n, methods, tolerance,
Run and Cancel with progress; remembered between runs (QSettings)."""

from __future__ import annotations

import math

from PySide6.QtCore import QSettings, Qt, Signal
from PySide6.QtWidgets import (QCheckBox, QComboBox, QDoubleSpinBox, QFormLayout, QGroupBox,
                               QHBoxLayout, QLabel, QProgressBar, QPushButton, QSpinBox,
                               QVBoxLayout, QWidget)

from hessianlens.engine.ndim.methods import DEFAULT_METHODS, METHODS
from hessianlens.engine.ndim.problems import PROBLEMS
from hessianlens.engine.ndim.run import DEFAULT_MAX_ITER, DEFAULT_TOL
from hessianlens.engine.ndim.sweep import SweepSettings, log_dims

GROUP = "dimensions"  # QSettings group of this tab
DIMS = log_dims(2, 4096)
TOLERANCES = (1e-3, 1e-4, 1e-5, 1e-6, 1e-8, 1e-10)

PROBLEM_TITLES = {
    "quadratic": "Quadratic 1/2 x\u1d40Ax - b\u1d40x",
    "rosenbrock": "Extended Rosenbrock",
    "logistic": "Logistic regression (breast cancer data, n = 31)",
}
PROBLEM_TIPS = {
    "quadratic": "A random quadratic with the chosen condition number: eigenvalues log-uniform "
                 "in [1, kappa] in a dense rotation; Newton solves it in one step",
    "rosenbrock": "n/2 independent Rosenbrock valleys (More, Garbow & Hillstrom, problem 21), "
                  "started near (-1.2, 1) each",
    "logistic": "L2-regularised logistic regression on the UCI Breast Cancer Wisconsin "
                "(Diagnostic) data: 569 tumours, 30 standardised features and a bias. n is "
                "the data set's, 31; Newton here is IRLS",
}
METHOD_TIPS = {
    "gd": "Gradient descent with the rate 1/L (L: the largest curvature; backtracking where "
          "the problem has no bound)",
    "cauchy": "Gradient descent with the Cauchy rate g.g / g.H.g: one Hessian-vector product "
              "per step",
    "momentum": "Heavy ball with Polyak's rates tuned to the spectrum where it is known",
    "newton": "Newton: the dense Hessian, Cholesky (O(n^3)), line search",
    "bfgs": "BFGS: a dense n x n inverse-Hessian approximation updated from gradients (O(n^2) "
            "per step)",
    "lbfgs": "L-BFGS: the last 10 gradient pairs only (O(n) per step)",
    "newton-cg": "Newton-CG: Newton's step by conjugate gradients on Hessian-vector products; "
                 "never forms H",
}


def _read(s: QSettings, key: str, cast, default):
    value = s.value(f"{GROUP}/{key}")
    try:
        out = cast(value) if value is not None else default
    except (TypeError, ValueError):
        return default
    return out


class SweepControls(QWidget):
    """Choose what to sweep; ``run_requested`` carries the SweepSettings."""

    run_requested = Signal(object)
    cancel_requested = Signal()

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.problem = QComboBox()
        for name in PROBLEMS:
            self.problem.addItem(PROBLEM_TITLES[name], name)
            self.problem.setItemData(self.problem.count() - 1, PROBLEM_TIPS[name],
                                     Qt.ItemDataRole.ToolTipRole)
        self.problem.setToolTip("The function to minimise at every n")
        self.problem.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.problem.setMinimumContentsLength(16)
        self.kappa = QDoubleSpinBox()
        self.kappa.setDecimals(0)
        self.kappa.setRange(1.0, 1e8)
        self.kappa.setValue(100.0)
        self.kappa.setStepType(QDoubleSpinBox.StepType.AdaptiveDecimalStepType)
        self.kappa.setToolTip("Condition number of the quadratic, lambda_max / lambda_min: "
                              "gradient descent needs about kappa steps, heavy ball and CG "
                              "about sqrt(kappa)")
        self.negatives = QSpinBox()
        self.negatives.setRange(0, 10)
        self.negatives.setToolTip("Negative eigenvalues of the quadratic: its stationary point "
                                  "becomes a saddle; Newton heads straight for it, the others "
                                  "go downhill without end")
        self.n_min, self.n_max = QComboBox(), QComboBox()
        for box in (self.n_min, self.n_max):
            for n in DIMS:
                box.addItem(str(n), n)
        self.n_min.setToolTip("Smallest n of the sweep (powers of two from 2 to 4096)")
        self.n_max.setToolTip("Largest n of the sweep: Newton and BFGS at n = 4096 take "
                              "seconds and a 128 MB matrix each")
        self.n_max.setCurrentIndex(len(DIMS) - 1)
        self.method_boxes: dict[str, QCheckBox] = {}
        methods = QGroupBox("Methods")
        methods.setToolTip("The methods to measure at every n")
        grid = QVBoxLayout(methods)
        for name, cls in METHODS.items():
            box = QCheckBox(cls.title)
            box.setChecked(name in DEFAULT_METHODS)
            box.setToolTip(METHOD_TIPS[name])
            grid.addWidget(box)
            self.method_boxes[name] = box
        self.tol = QComboBox()
        for t in TOLERANCES:
            self.tol.addItem(f"{t:g}", t)
        self.tol.setCurrentIndex(TOLERANCES.index(DEFAULT_TOL))
        self.tol.setToolTip("Each run stops when |grad f| <= tol max(1, |grad f(x0)|); the time "
                            "plotted is the time to get there")
        self.max_iter = QSpinBox()
        self.max_iter.setRange(10, 100_000)
        self.max_iter.setSingleStep(1000)
        self.max_iter.setValue(DEFAULT_MAX_ITER)
        self.max_iter.setToolTip("A run that has not reached the tolerance after this many "
                                 "iterations stops (shown as a cross, not on the curve)")
        self.blas = QSpinBox()
        self.blas.setRange(0, 64)
        self.blas.setValue(1)
        self.blas.setSpecialValueText("library's choice")
        self.blas.setToolTip("Threads of the linear-algebra library (BLAS) while measuring. 1 "
                             "compares the methods on equal terms; more makes Newton and BFGS "
                             "faster at large n, but on a busy machine small factorisations can "
                             "wait milliseconds for their threads")
        self.run_button = QPushButton("Run sweep")
        self.run_button.setToolTip("Run every chosen method at every n, in the background")
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.setToolTip("Stop the sweep; the runs already done stay on the plots")
        self.cancel_button.setEnabled(False)
        self.progress = QProgressBar()
        self.progress.setToolTip("Runs done of the sweep")
        self.progress.setFormat("%v of %m runs")
        self.status = QLabel("")
        self.status.setWordWrap(True)
        self.status.setToolTip("The run in progress, or how the last sweep ended")

        form = QFormLayout()
        form.addRow("Problem", self.problem)
        form.addRow("Condition number", self.kappa)
        form.addRow("Negative eigenvalues", self.negatives)
        form.addRow("Smallest n", self.n_min)
        form.addRow("Largest n", self.n_max)
        form.addRow("Tolerance", self.tol)
        form.addRow("Max iterations", self.max_iter)
        form.addRow("BLAS threads", self.blas)
        buttons = QHBoxLayout()
        buttons.addWidget(self.run_button)
        buttons.addWidget(self.cancel_button)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(methods)
        layout.addLayout(buttons)
        layout.addWidget(self.progress)
        layout.addWidget(self.status)
        layout.addStretch(1)

        self.problem.currentIndexChanged.connect(self._problem_changed)
        self.run_button.clicked.connect(self._run)
        self.cancel_button.clicked.connect(self.cancel_requested)
        self._problem_changed()

    # --- state --------------------------------------------------------------------------
    def problem_name(self) -> str:
        return self.problem.currentData()

    def settings(self) -> SweepSettings:
        lo, hi = sorted((self.n_min.currentData(), self.n_max.currentData()))
        return SweepSettings(self.problem_name(), tuple(n for n in DIMS if lo <= n <= hi),
                             tuple(n for n, b in self.method_boxes.items() if b.isChecked()),
                             float(self.kappa.value()), int(self.negatives.value()),
                             float(self.tol.currentData()), int(self.max_iter.value()),
                             blas_threads=int(self.blas.value()))

    def set_running(self, on: bool) -> None:
        self.run_button.setEnabled(not on)
        self.cancel_button.setEnabled(on)
        if on:
            self.progress.setValue(0)

    def _problem_changed(self, *_args) -> None:
        name = self.problem_name()
        quadratic = name == "quadratic"
        self.kappa.setEnabled(quadratic)
        self.negatives.setEnabled(quadratic)
        self.n_min.setEnabled(name != "logistic")
        self.n_max.setEnabled(name != "logistic")
        self.problem.setToolTip(PROBLEM_TIPS[name])

    def _run(self) -> None:
        self.run_requested.emit(self.settings())

    # --- remembered between runs ----------------------------------------------------------
    def restore(self, s: QSettings) -> None:
        """The last settings, where they are valid (anything else keeps the defaults)."""
        name = _read(s, "problem", str, "quadratic")
        if name in PROBLEMS:
            self.problem.setCurrentIndex(PROBLEMS.index(name))
        kappa = _read(s, "kappa", float, 100.0)
        if math.isfinite(kappa) and 1.0 <= kappa <= 1e8:
            self.kappa.setValue(kappa)
        self.negatives.setValue(min(max(_read(s, "negatives", int, 0), 0), 10))
        for box, key in ((self.n_min, "n_min"), (self.n_max, "n_max")):
            n = _read(s, key, int, None)
            if n in DIMS:
                box.setCurrentIndex(DIMS.index(n))
        tol = _read(s, "tol", float, DEFAULT_TOL)
        if tol in TOLERANCES:
            self.tol.setCurrentIndex(TOLERANCES.index(tol))
        self.max_iter.setValue(_read(s, "max_iter", int, DEFAULT_MAX_ITER))
        self.blas.setValue(_read(s, "blas_threads", int, 1))
        methods = s.value(f"{GROUP}/methods")
        if isinstance(methods, str):  # QSettings hands back a one-element list as a string
            methods = [methods]
        if isinstance(methods, (list, tuple)) and any(m in METHODS for m in methods):
            for name, box in self.method_boxes.items():
                box.setChecked(name in methods)

    def save(self, s: QSettings) -> None:
        st = self.settings()
        for key, value in (("problem", st.problem), ("kappa", st.kappa),
                           ("negatives", st.negatives), ("n_min", self.n_min.currentData()),
                           ("n_max", self.n_max.currentData()), ("tol", st.tol),
                           ("max_iter", st.max_iter), ("blas_threads", st.blas_threads),
                           ("methods", list(st.methods))):
            s.setValue(f"{GROUP}/{key}", value)
        s.sync()
