"""The web app's parts that need no browser: serve's address and port checked first, a one-round curve's scale."""


def test_serve_checks_its_address_and_port_first(capsys):
    import socket

    from keras_nst.cli import main

    assert main(["serve", "--host", "garbage!!"]) == 2
    assert "--host garbage!!: not an address or a host name" in capsys.readouterr().err
    assert main(["serve", "--host", "192.0.2.1"]) == 2  # TEST-NET-1: not this machine's
    assert "--host 192.0.2.1: this machine cannot listen there" in capsys.readouterr().err
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        assert main(["serve", "--port", str(port)]) == 2
        assert f"--port {port}: in use by another program" in capsys.readouterr().err


def test_the_loss_curve_of_one_round_has_a_readable_scale():
    from keras_nst.web.live import curve

    ax = curve([1.0], "loss after each round").axes[0]
    low, high = ax.get_ylim()
    assert low <= 0.34 and high >= 2.9 and ax.get_title() == "loss after each round"
    marked = curve([3.0, 2.0, 1.5, 1.2], "both passes", second=3)
    marked.canvas.draw()  # tick labels take their text when drawn
    axes = [a for ax in marked.axes for a in (ax, *ax.child_axes)]  # the label sits on a secondary axis on top
    labels = [t.get_text() for ax in axes for t in (*ax.texts, *ax.get_xticklabels())]
    assert "pass 2" in labels
