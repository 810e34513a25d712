"""The results' writes, one module per feature: pitch slots, convocations, pitch scoring,
laureates, result messages, consent."""
