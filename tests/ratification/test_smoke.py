from ratification import selectors, services
from ratification.models import Choice

from .conftest import close


def test_vote_round_trip(open_vote, voters, client):
    receipts = {}
    for voter, option in zip(voters, ["yes", "yes", "yes", "no", "abstain"], strict=True):
        _, receipts[voter.username] = services.cast_ballot(
            vote=open_vote, user=voter, option=option
        )
    _, new_receipt = services.cast_ballot(vote=open_vote, user=voters[3], option="yes")
    assert Choice.objects.filter(vote=open_vote).count() == 5
    assert services.check_receipt(vote=open_vote, receipt=receipts["voter3"]).status == "replaced"
    assert services.check_receipt(vote=open_vote, receipt=new_receipt).status == "counted"
    vote = close(open_vote)
    res = selectors.results(vote)
    assert res.votes_for == 4 and res.votes_against == 0 and res.outcome == "passed"
    for url in [
        "",
        "results/",
        "voters/",
        "log/",
        "receipt/",
        "results.json",
        "results.csv",
        "voters.csv",
    ]:
        response = client.get(f"/votes/{vote.pk}/{url}")
        assert response.status_code == 200, url
    assert client.get("/baseline/ratification/").status_code == 200
    assert client.get("/votes/").status_code == 200
