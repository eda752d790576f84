"""make test's work units for pytest-xdist, and the order they are sent in (used by conftest.py).

make test runs the tests on pytest-xdist workers with --dist loadfile, refined here: a work unit
is a test file, so a notebook's cells share one kernel and a module's fixtures are set up once;
but the browser run and the native-kernel run of the series are one unit per notebook, so they
spread over the workers. Units are sent longest first, so that the workers end together; but a
unit that mostly waits goes before them all.
"""

# Seconds each unit took in a make test on the 2-core machine (a notebook's: its JupyterLab run;
# its nbval run takes about two thirds), from one run that logged each test's start and end. A
# unit not named here is short. Only the order depends on these numbers, never a result; a long
# unit left unnamed is sent last and ends alone (test_run_and_book.py did: 30 s with one worker).
# test_hub_english.py's is estimated: alone it took 70 s where test_hub.py took 131 s.
SECONDS = {'test_hub.py': 120, 'test_hub_english.py': 65, 'test_student.py': 95,
           'test_book.py': 87,
           'test_run_and_book.py': 64, 'test_odd_paths.py': 60, 'test_autograde.py': 60,
           'test_store.py': 58, 'test_tools.py': 52, 'test_data.py': 43,
           'test_distributed.py': 27, 'test_setup.py': 16, 'test_regression_check.py': 13,
           'test_claims.py': 12, 'test_language.py': 7, 'test_import_cost.py': 7,
           'test_english.py': 5,
           '07_why_initialization_matters': 46, '05_exercises': 42, '08_tied_weights': 22,
           '10_parameters_across_devices': 14, '09_saving_parameters': 14,
           '11_init_explorer': 9, '06_init_tour': 8, '02_initializing_parameters': 7,
           '03_custom_initialization': 6, '01_accessing_parameters': 5,
           '04_sharing_parameters': 4}
ONE_UNIT_PER_NOTEBOOK = ('tests/test_jupyterlab.py', 'tests/test_native_kernels.py')
# Units that mostly wait: test_setup.py waits 15 to 20 s for uv's download of a Python to fail and
# uses 4 CPU-seconds. Sent first, it waits while the other workers keep both cores busy; sent where
# its length put it, it was the last unit running, alone, and the cores idled.
MOSTLY_WAITING = ('test_setup.py',)


def work_unit(nodeid):
    """The test's file, or for the series' browser and native runs the test itself."""
    path = nodeid.split('::')[0]
    return nodeid if path in ONE_UNIT_PER_NOTEBOOK else path


def expected_seconds(nodeid):
    """Roughly how long the test's whole work unit takes (0 for a short one)."""
    unit = work_unit(nodeid)
    return max((seconds for name, seconds in SECONDS.items() if name in unit), default=0)


def send_order(nodeid):
    """The sort key of the test's unit: the units that mostly wait, then the longest first."""
    unit = work_unit(nodeid)
    return not any(name in unit for name in MOSTLY_WAITING), -expected_seconds(nodeid)
