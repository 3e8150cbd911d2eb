"""The demo behind `script/demo`: two linked Home Assistants with mTLS between them."""
