"""What happens in the sample, one concern per module: brand posts, customer posts,
conversations, spam, shares and quotes, planted flaws. Each works on the shared `World`."""
