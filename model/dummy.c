int e1k_model_placeholder_;
