"""What people asked and how it went: the question log, FAQ reports for counselors, the evaluation."""
