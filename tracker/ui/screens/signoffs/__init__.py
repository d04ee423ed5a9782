"""Sign-offs: who still has to sign, recent sign-offs, recording and revoking."""
