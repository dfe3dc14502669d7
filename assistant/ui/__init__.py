"""The Gradio app (thin over the library): chat with cited passages, documents, feedback, evaluation."""
