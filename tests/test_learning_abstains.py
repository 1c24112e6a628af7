"""A site's own model abstains until the site has enough decisions; then it is blended
with the global prior by count."""

import pytest

from commentgate.storage.db import transaction
from workers.jobs import Context
from workers.scoring.blend import MIN_SITE_DECISIONS, BlendedModel, site_share
from workers.scoring.corpus import Example, Label
from workers.scoring.model import SpamModel

SPAM = "Ủng hộ ứng viên Trần Văn Hùng vào hội đồng phường, người tử tế"
HAM = "Đường Nguyễn Trãi chiều nay kẹt xe, mong thành phố sớm có giải pháp."


def models():
    prior = SpamModel.new("prior-test")
    prior.learn_many([Example(HAM, Label.HAM), Example("vay tiền nhanh", Label.SPAM)] * 3)
    site = prior.copy("site-test")
    site.learn_many([Example(SPAM, Label.SPAM)] * 30)
    return prior, site


def scoring_model(worker, site_id):
    with worker.runtime.sessions() as session:
        return Context.of(worker.runtime).model(session, site_id)


@pytest.mark.parametrize(("decisions", "share"), [(0, 0.0), (49, 0.0), (50, 0.5), (450, 0.9)])
def test_the_site_share_grows_with_its_decisions(decisions, share):
    assert site_share(decisions) == pytest.approx(share)


def test_the_prior_speaks_until_the_site_has_enough_decisions(worker, sessions, site):
    prior, own = models()
    store = worker.runtime.models
    with transaction(sessions) as session:
        store.save(session, prior, site_id=None, examples=0, last_decision_id=0)
        store.save(
            session, own, site_id=site.id, examples=MIN_SITE_DECISIONS - 1, last_decision_id=1
        )
    assert scoring_model(worker, site.id).version == prior.version

    blended = own.copy("site-test-2")
    with transaction(sessions) as session:
        store.save(
            session, blended, site_id=site.id, examples=MIN_SITE_DECISIONS, last_decision_id=2
        )
    model = scoring_model(worker, site.id)
    assert isinstance(model, BlendedModel) and model.version == blended.version
    expected = (blended.spam_probability(SPAM) + prior.spam_probability(SPAM)) / 2
    assert model.opinion(SPAM).probability == pytest.approx(expected)
    assert model.spam_probabilities([SPAM])[0] == pytest.approx(expected)


def test_without_a_prior_the_site_model_speaks_alone(worker, sessions, site):
    _, own = models()
    with transaction(sessions) as session:
        worker.runtime.models.save(session, own, site_id=site.id, examples=3, last_decision_id=1)
    assert scoring_model(worker, site.id).version == own.version
