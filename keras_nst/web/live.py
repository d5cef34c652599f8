"""The live panel of the web app's optimising tabs (style transfer, harmonize): lesson 8's image
improving round by round, as a preview and the loss curve after every round, and a Stop that keeps
the round in hand (``watch``, ``live_panel``, ``STOPS``)."""

import queue
import threading

import gradio as gr
import numpy as np

from .page import DEVICE, RESULT_BUTTONS, download

STOPS = {}  # (a browser page, tab) -> threading.Event: that tab's Stop, from its Run button until the job ends


class _Stopped(Exception):
    """Raised from the optimiser's callback when the page's Stop was pressed."""


def curve(losses, title, second=None):
    """The loss after each round: points joined by a line (one round is one point), whole rounds on
    the x axis, a log scale as the command line's grid; ``second``: the first round of a second pass,
    marked by a line. The title is drawn in the figure, where the page's label would cover a point."""
    from matplotlib.ticker import LogLocator, MaxNLocator

    from ..core.plots import figure

    fig = figure(figsize=(5, 3))
    ax = fig.subplots()
    rounds = np.arange(1, len(losses) + 1)
    ax.plot(rounds, losses, marker="o")
    if second is not None and len(losses) >= second:
        ax.axvline(second - 0.5, color="grey", linestyle="--")
        top = ax.secondary_xaxis("top")  # named above the frame, where no point can be under it
        top.set_xticks([second - 0.5], ["pass 2"], color="grey")
        top.tick_params(length=0)
    ax.xaxis.set_major_locator(MaxNLocator(integer=True, min_n_ticks=1))  # one round: tick 1, not 0.8 ... 1.2
    ax.set_xlim(0.5, max(len(losses), 1) + 0.5)
    ax.set_yscale("log")
    low, high = min(losses), max(losses)
    if high <= low * 1.5:  # one point, or a flat curve: a decade around it, not ticks 0.945 ... 1.050
        ax.set_ylim(low / 3, high * 3)
        ax.yaxis.set_major_locator(LogLocator(base=10))
    ax.set_xlabel("round")
    ax.set_ylabel("loss")
    ax.set_title(title, fontsize="medium")
    return fig


def _rounds_done(n):
    return f"{n} round{'s' * (n != 1)}"


def watch(run, rounds, request, progress, tab, name, *, title, stage=lambda i: "", second=None, start=None):
    """Run ``run(callback)`` (an optimisation whose ``callback(i, x, loss)`` follows its round ``i`` of
    ``rounds``) on a worker thread; yield (image, loss curve, status) as each round ends and when it
    is done, the result as a PNG file called ``name`` for its download button. The page's Stop for
    ``tab`` (``stop_run``), pressed while the job waited in the queue or while it runs, or the page
    closed, ends it: at once, or after the round in hand, which stays on the page (and downloads as
    ``name``). ``title``: the curve's; ``second``: the round a second pass begins at; ``start``: a
    function giving the picture the optimisation starts from (uint8), called when the job's turn
    comes (not for a job stopped while it waited), shown at once, handed to ``run`` as its second
    argument and kept if Stop comes before round 1."""
    from ..core.backend import describe_precision
    from ..core.defaults import PRECISION
    from ..core.vgg import check_precision, deproc

    stop = STOPS.setdefault((request.session_hash, tab), threading.Event())
    if stop.is_set():  # Stop was pressed while the job waited for the device: it ends without computing
        STOPS.pop((request.session_hash, tab), None)
        yield gr.skip(), gr.skip(), "stopped before it started"
        return
    stop.running = True
    if start is not None:
        try:
            yield None, None, "painting in one pass ..."
            start = start()
        except BaseException:  # its error goes to the page; the page gone: its Stop goes too
            STOPS.pop((request.session_hash, tab), None)
            raise
        if stop.is_set():
            STOPS.pop((request.session_hash, tab), None)
            yield download(start, name), gr.skip(), "stopped before round 1: the image is the one-pass start"
            return
        job = run
        run = lambda callback: job(callback, start)  # noqa: E731
    precision = f"<small>computed in {describe_precision(check_precision(PRECISION))}</small>"
    updates = queue.Queue()

    def callback(i, x, loss):
        updates.put(("round", i, deproc(x)[0].round().astype(np.uint8), loss))
        if stop.is_set():
            raise _Stopped

    def work():
        try:
            updates.put(("done", run(callback)))
        except _Stopped:
            updates.put(("stopped",))
        except Exception as e:  # handed to the page's thread, which reports it
            updates.put(("error", e))

    worker = threading.Thread(target=work, daemon=True)
    worker.start()
    losses, last = [], start
    progress((0, rounds), desc="L-BFGS", unit="round")
    yield start, None, "preparing ..." if start is None else "the one-pass picture: the L-BFGS rounds refine it ..."
    try:
        while True:
            kind, *item = updates.get()
            if kind == "error":
                raise item[0]
            if kind == "stopped":
                last = download(last, name) if last is not None else gr.skip()
                said = f"after round {len(losses)}: the image is that round's" if losses or start is None else \
                    "before round 1: the image is the one-pass start"
                yield last, gr.skip(), f"stopped {said}\n\n{precision}"
                return
            if kind == "done":
                yield (download(item[0].image, name), curve(losses, title, second),
                       f"done: {_rounds_done(rounds)}, loss {losses[-1]:.4g}\n\n"
                       f"<small>computed in {describe_precision(item[0].precision)}</small>")
                return
            i, last, loss = item
            losses.append(loss)
            progress((i, rounds), desc="L-BFGS", unit="round")
            yield last, curve(losses, title, second), f"round {i} of {rounds}{stage(i)}: loss {loss:.4g}"
    finally:  # the page went away or Stop: the device is free only when the round in hand ends
        stop.set()
        worker.join()
        STOPS.pop((request.session_hash, tab), None)


def queued(tab, request: gr.Request):
    """A page's Paint or Harmonize pressed: its job is on its way to the queue, not stopped yet."""
    STOPS[request.session_hash, tab] = threading.Event()
    return "waiting for the device ..."


def stop_run(tab, request: gr.Request):
    """The page's Stop: its job ends at once if it is still waiting, after the round in hand if it runs."""
    stop = STOPS.get((request.session_hash, tab))
    if stop is None:
        return gr.skip()
    stop.set()
    if getattr(stop, "running", False):
        return "stopping ... (after the round in hand, whose image stays)"
    return "stopped: it was waiting for the device, and will not run"


def for_tab(fn, tab):
    """``fn(tab, request)`` as a listener Gradio can call: it passes the request by the annotation of
    the listener's only parameter (a ``functools.partial`` would show it ``tab`` as an input)."""

    def listener(request: gr.Request):
        return fn(tab, request)

    listener.__name__ = f"{fn.__name__}_{tab}"
    return listener


def page_closed(request: gr.Request):
    """A closed page stops its jobs, as its Stop would."""
    for key, stop in list(STOPS.items()):
        if key[0] == request.session_hash:
            stop.set()


def live_panel(tab, label, curve_label, job, inputs):
    """A tab's Run and Stop buttons, status line, result and loss curve, for a ``job`` that reports
    every round (``_rounds``): Run marks the page's job as coming, then queues ``job(*inputs)`` for
    the device; Stop answers at once. Returns the result and status components."""
    with gr.Row():
        run = gr.Button(label, variant="primary", elem_id=f"{tab}-run")
        stop = gr.Button("Stop", elem_id=f"{tab}-stop")
    status = gr.Markdown(elem_id=f"{tab}-status")
    with gr.Row():
        result = gr.Image(label="result", format="png", interactive=False, buttons=RESULT_BUTTONS,
                          elem_id=f"{tab}-result")
        curve = gr.Plot(label=curve_label, show_label=False, elem_id=f"{tab}-curve")
    run.click(for_tab(queued, tab), None, status, queue=False).then(
        job, inputs, [result, curve, status], concurrency_id=DEVICE, concurrency_limit=1)
    stop.click(for_tab(stop_run, tab), None, status, queue=False)
    return result, status


