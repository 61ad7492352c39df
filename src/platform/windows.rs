//! Windows: written in the next commit.
compile_error!("rootcert does not build for Windows yet");
