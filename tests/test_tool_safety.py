"""tools/tool_safety.py: a stop signal reaches the tool even while asyncio runs a callback."""
import subprocess
import sys
from pathlib import Path

import pytest
from os_support import take_stop_signals

TOOLS = Path(__file__).resolve().parent.parent / 'tools'
# A tool's main thread inside an event loop (as under nbclient): the signal's handler runs while
# one of the loop's callbacks does.
PROBE = '''
import asyncio, os, signal, sys, time
sys.path.insert(0, sys.argv[1])
import tool_safety

def busy():
    os.kill(os.getpid(), int(sys.argv[2]))
    end = time.monotonic() + 0.5
    while time.monotonic() < end:
        pass

async def main():
    asyncio.get_running_loop().call_soon(busy)
    await asyncio.sleep(3)

try:
    with tool_safety.stopping_on_signals():
        asyncio.run(main())
    print('the run went on')
except tool_safety.Stopped as stop:
    print('stopped by', stop)
'''


@pytest.mark.parametrize('signum', [2, 15, 1, 3], ids=['INT', 'TERM', 'HUP', 'QUIT'])
def test_a_signal_during_an_event_loop_callback_stops_the_tool(signum):
    result = subprocess.run([sys.executable, '-c', PROBE, str(TOOLS), str(signum)],
                            capture_output=True, text=True, timeout=60,
                            preexec_fn=take_stop_signals)
    assert result.stdout.startswith('stopped by SIG'), result.stdout + result.stderr
