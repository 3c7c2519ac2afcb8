"""The learning-rate panel offers every schedule of the registry, and each runs."""
def test_every_schedule_can_be_chosen_and_run_from_the_panel(window):
    from gd_core import SCHEDULES

    panel = next(p for p in window.panels if type(p).__name__ == "LearningRatePanel")
    for i, name in enumerate(SCHEDULES):
        panel.schedule.setCurrentIndex(i)
        panel.schedule.activated.emit(i)
        assert window.model.selected.config["schedule"]["name"] == name
        window.model.step(30)
        assert window.model.selected.trainer.step > 0
