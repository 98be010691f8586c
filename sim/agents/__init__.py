"""The model's agents: the workforce (struct of arrays), sectors and policy programmes."""
