"""make test's work units for pytest-xdist, and the order they are sent in (used by conftest.py).

make test runs the tests on pytest-xdist workers with --dist loadfile, refined here: a work unit
is a test file, so a notebook's cells share one kernel and a module's fixtures are set up once;
but the browser run and the native-kernel run of the series are one unit per notebook, so they
spread over the workers. Units are sent longest first, so that the workers end together.
"""

# Rough seconds on the 2-core machine (a notebook's: one run on the project kernel); a unit not
# named here is short. Only the order depends on these numbers, never a result.
SECONDS = {'test_odd_paths.py': 150, 'test_hub.py': 140, 'test_tools.py': 35,
           'test_autograde.py': 55, 'test_data.py': 50, 'test_book.py': 40,
           'test_student.py': 40, 'test_distributed.py': 30, 'test_store.py': 20,
           'test_english.py': 40,
           'test_regression_check.py': 18, '07_why_initialization_matters': 40,
           '05_exercises': 25, '08_tied_weights': 15, '10_parameters_across_devices': 12,
           '09_saving_parameters': 8}
ONE_UNIT_PER_NOTEBOOK = ('tests/test_jupyterlab.py', 'tests/test_native_kernels.py')


def work_unit(nodeid):
    """The test's file, or for the series' browser and native runs the test itself."""
    path = nodeid.split('::')[0]
    return nodeid if path in ONE_UNIT_PER_NOTEBOOK else path


def expected_seconds(nodeid):
    """Roughly how long the test's whole work unit takes (0 for a short one)."""
    unit = work_unit(nodeid)
    return max((seconds for name, seconds in SECONDS.items() if name in unit), default=0)
